using System.Net;
using System.Text.Json;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.DomainEvents;
using Hubbub.Features.Social;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests.Social;

/// <summary>
/// The social feed on a real server: friend flows with their events and notifications, who sees what (REST and the
/// feed channel), idempotent activities (by client id and by retried domain event), like races, delete propagation,
/// comment limits and hostile text, paging while new activities arrive, and refusals.
/// </summary>
public abstract class SocialTests(SocialFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task A_request_both_ways_is_a_friendship_announced_live_and_kept_as_notifications()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await using var bobWs = await Chat.ConnectAsync(bob, "Bob");
        await bobWs.SubscribeAsync($"user:{bob}");
        await using var adaWs = await Chat.ConnectAsync(ada, "Ada");
        await adaWs.SubscribeAsync($"user:{ada}");

        var asked = await adaWs.OkAsync("social.friend", new { user = bob }); // the command is the same service as REST
        Assert.Equal("requested", asked.GetProperty("status").GetString());
        var request = (await bobWs.NextAsync(f => f.Type() == "friend_request")).GetProperty("data");
        Assert.Equal((ada, "Ada"), (request.GetProperty("user").GetString(), request.GetProperty("name").GetString()));
        using var bobApi = Chat.Api(bob, "Bob");
        var lists = Social.Ok(await bobApi.GetAsync("/api/friends"));
        Assert.Equal(ada, lists.GetProperty("incoming").EnumerateArray().Single().GetProperty("user").GetString());
        Assert.Empty(lists.GetProperty("friends").EnumerateArray());

        Assert.Equal("friends", Social.Ok(await bobApi.PostAsync("/api/friends", new { user = ada })).GetProperty("status").GetString());
        Assert.Equal(bob, (await adaWs.NextAsync(f => f.Type() == "friend_added")).GetProperty("data").GetProperty("user").GetString());
        Assert.Equal(ada, (await bobWs.NextAsync(f => f.Type() == "friend_added")).GetProperty("data").GetProperty("user").GetString());
        using var adaApi = Chat.Api(ada, "Ada");
        var adaLists = Social.Ok(await adaApi.GetAsync("/api/friends"));
        Assert.Equal(bob, adaLists.GetProperty("friends").EnumerateArray().Single().GetProperty("user").GetString());
        Assert.Empty(adaLists.GetProperty("outgoing").EnumerateArray());
        var types = Social.Ok(await adaApi.GetAsync("/api/notifications")).GetProperty("items").EnumerateArray().Select(n => n.GetProperty("type").GetString());
        Assert.Equal(["friend_added"], types);
        Assert.Equal(["friend_request"],
            Social.Ok(await bobApi.GetAsync("/api/notifications")).GetProperty("items").EnumerateArray().Select(n => n.GetProperty("type").GetString()));

        // A second request changes nothing; removal ends it for both.
        Assert.Equal("friends", Social.Ok(await adaApi.PostAsync("/api/friends", new { user = bob })).GetProperty("status").GetString());
        Assert.Equal("removed", Social.Ok(await adaApi.DeleteAsync($"/api/friends/{bob}")).GetProperty("status").GetString());
        Assert.Empty(Social.Ok(await bobApi.GetAsync("/api/friends")).GetProperty("friends").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await adaApi.DeleteAsync($"/api/friends/{bob}")).Status);
    }

    [Fact]
    public async Task A_deleted_comment_or_activity_takes_its_unread_notifications_with_it_and_leaves_read_ones()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await Chat.BefriendAsync(ada, bob);
        using var adaApi = Chat.Api(ada, "Ada");
        using var bobApi = Chat.Api(bob, "Bob");
        async Task<List<(string Type, string Activity)>> UnreadAsync() =>
            Social.Ok(await adaApi.GetAsync("/api/notifications?unread=true")).GetProperty("items").EnumerateArray()
                .Where(n => n.GetProperty("type").GetString() is "activity_liked" or "activity_commented")
                .Select(n => (n.GetProperty("type").GetString()!, n.GetProperty("data").GetProperty("activity").GetString()!)).ToList();

        // A comment deleted while its notice is unread takes the notice with it; the other comment's stays.
        var kept = (await adaApi.PostActivityAsync("kept")).GetProperty("id").GetString()!;
        var gone = Social.Ok(await bobApi.PostAsync($"/api/activities/{kept}/comments", new { text = "first" })).GetProperty("id").GetString()!;
        Social.Ok(await bobApi.PostAsync($"/api/activities/{kept}/comments", new { text = "second" }));
        Assert.Equal(2, (await UnreadAsync()).Count);
        Assert.Equal(HttpStatusCode.NoContent, (await bobApi.DeleteAsync($"/api/activities/{kept}/comments/{gone}")).Status);
        var left = Social.Ok(await adaApi.GetAsync("/api/notifications?unread=true")).GetProperty("items").EnumerateArray()
            .Where(n => n.GetProperty("type").GetString() == "activity_commented").ToList();
        Assert.Equal("second", left.Single().GetProperty("data").GetProperty("comment").GetProperty("text").GetString());

        // An activity deleted with unread like and comment notices takes them with it: none leads to a 404.
        var deleted = (await adaApi.PostActivityAsync("deleted")).GetProperty("id").GetString()!;
        Social.Ok(await bobApi.PostAsync($"/api/activities/{deleted}/likes", new { }));
        Social.Ok(await bobApi.PostAsync($"/api/activities/{deleted}/comments", new { text = "nice" }));
        Assert.Equal(2, (await UnreadAsync()).Count(n => n.Activity == deleted));
        Assert.Equal(HttpStatusCode.NoContent, (await adaApi.DeleteAsync($"/api/activities/{deleted}")).Status);
        Assert.DoesNotContain(await UnreadAsync(), n => n.Activity == deleted);
        Assert.Contains(await UnreadAsync(), n => n.Activity == kept);

        // A notice already read stays: the inbox is a history of what was read.
        var read = (await adaApi.PostActivityAsync("read")).GetProperty("id").GetString()!;
        Social.Ok(await bobApi.PostAsync($"/api/activities/{read}/comments", new { text = "seen" }));
        var newest = Social.Ok(await adaApi.GetAsync("/api/notifications")).GetProperty("items")[0].GetProperty("id").GetString()!;
        Social.Ok(await adaApi.PostAsync("/api/notifications/read", new { up_to = newest }));
        Assert.Equal(HttpStatusCode.NoContent, (await adaApi.DeleteAsync($"/api/activities/{read}")).Status);
        Assert.Contains(Social.Ok(await adaApi.GetAsync("/api/notifications")).GetProperty("items").EnumerateArray(),
            n => n.GetProperty("data").TryGetProperty("activity", out var a) && a.GetString() == read);
    }

    [Fact]
    public async Task An_accept_makes_a_request_a_friendship_and_without_one_is_not_found()
    {
        // Issue 16's "request, accept, decline": accept is the twin of POST /api/friends/{user}/decline (a request back
        // does the same). Before, /accept was 404 "no such endpoint".
        var (ada, bob, cy) = (Users.New("ada"), Users.New("bob"), Users.New("cy"));
        await using var adaWs = await Chat.ConnectAsync(ada, "Ada");
        await adaWs.SubscribeAsync($"user:{ada}");
        using var adaApi = Chat.Api(ada, "Ada");
        using var bobApi = Chat.Api(bob, "Bob");
        var nothing = await bobApi.PostAsync($"/api/friends/{ada}/accept", new { });
        Assert.Equal(HttpStatusCode.NotFound, nothing.Status);
        Assert.Empty(Social.Ok(await bobApi.GetAsync("/api/friends")).GetProperty("outgoing").EnumerateArray()); // it asked nobody

        await adaApi.PostAsync("/api/friends", new { user = bob });
        var accepted = Social.Ok(await bobApi.PostAsync($"/api/friends/{ada}/accept", new { }));
        Assert.Equal((ada, "friends"), (accepted.GetProperty("user").GetString(), accepted.GetProperty("status").GetString()));
        Assert.Equal(bob, (await adaWs.NextAsync(f => f.Type() == "friend_added")).GetProperty("data").GetProperty("user").GetString());
        Assert.Equal("friends", Social.Ok(await bobApi.PostAsync($"/api/friends/{ada}/accept", new { })).GetProperty("status").GetString());

        using var cyApi = Chat.Api(cy, "Cy");
        await cyApi.PostAsync("/api/friends", new { user = bob });
        await using var bobWs = await Chat.ConnectAsync(bob, "Bob");
        Assert.Equal("friends", (await bobWs.OkAsync("social.accept", new { user = cy })).GetProperty("status").GetString());
        var friends = Social.Ok(await bobApi.GetAsync("/api/friends")).GetProperty("friends").EnumerateArray().Select(f => f.GetProperty("user").GetString());
        Assert.Equal([ada, cy], friends.Order());
        Assert.Empty(Social.Ok(await bobApi.GetAsync("/api/friends")).GetProperty("incoming").EnumerateArray());
    }

    [Fact]
    public async Task A_server_names_who_likes_or_deletes_in_the_body_as_in_the_query()
    {
        // FEATURES.md: a server names the user it acts for in the body ("user": "42"). A like has no other body, so before,
        // {"user":…} was refused as naming nobody and only ?user= worked.
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await Chat.BefriendAsync(ada, bob);
        using var adaApi = Chat.Api(ada, "Ada");
        var activity = Social.Ok(await adaApi.PostAsync("/api/activities", new { type = "run", title = "Run" })).GetProperty("id").GetString();
        using var server = new Infrastructure.ServerApi(Chat.Server.BaseAddress, TestServer.ApiKey);
        var liked = await server.PostAsync($"/api/activities/{activity}/likes", new { user = bob });
        Assert.True(liked.Status == HttpStatusCode.OK, liked.ToString());
        Assert.Equal(1, liked.Body.GetProperty("like_count").GetInt32());
        Assert.Equal(1, Social.Ok(await server.PostAsync($"/api/activities/{activity}/likes?user={bob}", new { })).GetProperty("like_count").GetInt32());
        var unliked = await server.SendAsync(HttpMethod.Delete, $"/api/activities/{activity}/likes", JsonSerializer.Serialize(new { user = bob }));
        Assert.Equal(0, Social.Ok(unliked).GetProperty("like_count").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await server.PostAsync($"/api/activities/{activity}/likes", new { })).Status); // names nobody
        var deleted = await server.SendAsync(HttpMethod.Delete, $"/api/activities/{activity}", JsonSerializer.Serialize(new { user = ada }));
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await adaApi.GetAsync($"/api/activities/{activity}")).Status);
    }

    [Fact]
    public async Task A_declined_request_is_gone_and_a_blocked_user_cannot_ask_again()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        using var bobApi = Chat.Api(bob);
        await adaApi.PostAsync("/api/friends", new { user = bob });
        Assert.Equal("declined", Social.Ok(await bobApi.PostAsync($"/api/friends/{ada}/decline", new { })).GetProperty("status").GetString());
        Assert.Empty(Social.Ok(await adaApi.GetAsync("/api/friends")).GetProperty("outgoing").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await bobApi.PostAsync($"/api/friends/{ada}/decline", new { })).Status);

        await Chat.BefriendAsync(ada, bob);
        Assert.Equal("blocked", Social.Ok(await bobApi.PostAsync("/api/blocks", new { user = ada })).GetProperty("status").GetString());
        Assert.Empty(Social.Ok(await adaApi.GetAsync("/api/friends")).GetProperty("friends").EnumerateArray());
        var refused = await adaApi.PostAsync("/api/friends", new { user = bob });
        Assert.Equal((HttpStatusCode.Forbidden, "blocked"), (refused.Status, refused.Body.GetProperty("reason").GetString()));
        Assert.Equal("blocked", (await bobApi.PostAsync("/api/friends", new { user = ada })).Body.GetProperty("reason").GetString()); // 409: unblock first
        Assert.Equal("unblocked", Social.Ok(await bobApi.DeleteAsync($"/api/blocks/{ada}")).GetProperty("status").GetString());
        Assert.Equal("requested", Social.Ok(await adaApi.PostAsync("/api/friends", new { user = bob })).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Only_the_author_and_friends_see_an_activity_a_stranger_and_a_blocked_user_see_nothing()
    {
        var (ada, bob, eve) = (Users.New("ada"), Users.New("bob"), Users.New("eve"));
        await Chat.BefriendAsync(ada, bob);
        await Chat.BefriendAsync(ada, eve);
        using var adaApi = Chat.Api(ada, "Ada");
        var posted = await adaApi.PostActivityAsync("Morning run", new { km = 5 });
        var id = posted.GetProperty("id").GetString()!;
        Assert.Equal((ada, "Ada"), (posted.GetProperty("user").GetString(), posted.GetProperty("name").GetString()));

        using var bobApi = Chat.Api(bob);
        Assert.Equal([id], Social.Ids(Social.Ok(await bobApi.GetAsync("/api/feed"))));
        Assert.Equal([id], Social.Ids(Social.Ok(await bobApi.GetAsync($"/api/users/{ada}/activities"))));

        Assert.Equal("blocked", Social.Ok(await adaApi.PostAsync("/api/blocks", new { user = eve })).GetProperty("status").GetString());
        var stranger = Users.New("zed");
        foreach (var outsider in new[] { eve, stranger })
        {
            using var api = Chat.Api(outsider);
            Assert.Empty(Social.Ids(Social.Ok(await api.GetAsync("/api/feed"))));
            Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/activities/{id}")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync($"/api/activities/{id}/likes", new { })).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync($"/api/activities/{id}/comments", new { text = "hi" })).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/activities/{id}/comments")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync($"/api/users/{ada}/activities")).Status);
            await using var ws = await Chat.ConnectAsync(outsider);
            Assert.Equal("forbidden", (await ws.RequestAsync("subscribe", new { channel = $"feed:{ada}" })).ErrorCode());
            Assert.Equal("not_found", (await ws.RequestAsync("social.like", new { activity = id })).ErrorCode());
        }
        // Even a friend cannot subscribe to another's feed channel, and nobody publishes there.
        await using var bobWs = await Chat.ConnectAsync(bob);
        Assert.Equal("forbidden", (await bobWs.RequestAsync("subscribe", new { channel = $"feed:{ada}" })).ErrorCode());
        await bobWs.SubscribeAsync($"feed:{bob}");
        Assert.Equal("forbidden", (await bobWs.RequestAsync("publish", new { channel = $"feed:{bob}", data = new { } })).ErrorCode());
        // Typing and cursors are a client's payload relayed to every subscriber: refused where only the server speaks.
        Assert.Equal("forbidden", (await bobWs.RequestAsync("typing", new { channel = $"feed:{bob}", is_typing = true })).ErrorCode());
        Assert.Equal("forbidden", (await bobWs.RequestAsync("cursor", new { channel = $"feed:{bob}", x = 1, y = 2 })).ErrorCode());
    }

    [Fact]
    public async Task A_subscribe_answers_with_the_newest_page_and_a_delete_reaches_every_friends_feed()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await Chat.BefriendAsync(ada, bob);
        using var adaApi = Chat.Api(ada, "Ada");
        var first = (await adaApi.PostActivityAsync("First")).GetProperty("id").GetString();
        await using var bobWs = await Chat.ConnectAsync(bob, "Bob");
        var state = (await bobWs.SubscribeAsync($"feed:{bob}")).GetProperty("state");
        Assert.Equal([first!], Social.Ids(state));

        var second = (await adaApi.PostActivityAsync("Second")).GetProperty("id").GetString();
        var live = (await bobWs.NextAsync(f => f.Type() == "friend_activity")).GetProperty("data").GetProperty("activity");
        Assert.Equal((second, "Second", false), (live.GetProperty("id").GetString(), live.GetProperty("title").GetString(), live.GetProperty("liked_by_me").GetBoolean()));

        Assert.Equal(HttpStatusCode.NoContent, (await adaApi.DeleteAsync($"/api/activities/{second}")).Status);
        var deleted = await bobWs.NextAsync(f => f.Type() == "activity_deleted");
        Assert.Equal(second, deleted.GetProperty("data").GetProperty("id").GetString());
        using var bobApi = Chat.Api(bob);
        Assert.Equal([first!], Social.Ids(Social.Ok(await bobApi.GetAsync("/api/feed"))));
        Assert.Equal(HttpStatusCode.NotFound, (await bobApi.GetAsync($"/api/activities/{second}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await bobApi.DeleteAsync($"/api/activities/{first}")).Status); // not the author
    }

    [Fact]
    public async Task A_post_with_the_same_id_makes_one_activity_over_REST_and_the_command()
    {
        var ada = Users.New("ada");
        using var adaApi = Chat.Api(ada);
        var once = await adaApi.PostActivityAsync("Swim", id: "client-1");
        var again = await adaApi.PostActivityAsync("Swim", id: "client-1");
        await using var ws = await Chat.ConnectAsync(ada);
        var viaCommand = await ws.OkAsync("social.post", new { type = "run", title = "Swim", id = "client-1" });
        Assert.Equal(once.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        Assert.Equal(once.GetProperty("id").GetString(), viaCommand.GetProperty("id").GetString());
        Assert.Single(Social.Ids(Social.Ok(await adaApi.GetAsync("/api/feed"))));
    }

    [Fact]
    public async Task A_domain_event_with_a_rule_becomes_one_activity_even_when_its_handling_is_retried()
    {
        var ada = Users.New("ada");
        using var adaApi = Chat.Api(ada, "Ada");
        await adaApi.GetAsync("/api/feed"); // the directory learns her name
        var type = $"workout.done{Guid.NewGuid().ToString("N")[..6]}";
        using var server = new Infrastructure.ServerApi(Chat.Server.BaseAddress, TestServer.ApiKey);
        var rule = await server.PostAsync("/api/activity-rules", new { type, title = "{name} finished a {distance_km} km run", description = "in {minutes} min {unknown}" });
        Assert.Equal(HttpStatusCode.Created, rule.Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await adaApi.PostAsync("/api/activity-rules", new { type, title = "x" })).Status);

        var features = Chat.Server.Services.GetRequiredService<FeatureDatabase>();
        var kind = new DomainEventKind<JsonElement>(type, SocialJsonContext.Default.JsonElement);
        var data = JsonSerializer.SerializeToElement(new { user = ada, distance_km = 5, minutes = 28 });
        await features.WriteAsync(tx => tx.RaiseAsync(kind, data));
        var made = await EventuallyAsync(async () => Social.Ids(Social.Ok(await adaApi.GetAsync("/api/feed"))), ids => ids.Count == 1);
        var activity = Social.Ok(await adaApi.GetAsync($"/api/activities/{made[0]}"));
        Assert.Equal(("Ada finished a 5 km run", "in 28 min {unknown}", type),
            (activity.GetProperty("title").GetString(), activity.GetProperty("description").GetString(), activity.GetProperty("type").GetString()));

        // The same event handled again (a retry after a lost handled mark) changes nothing.
        var rules = Chat.Server.Services.GetRequiredService<ActivityRuleService>();
        var eventId = long.Parse(made[0]["event-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        await features.WriteAsync(tx => rules.HandleAsync(tx, new DomainEvent(eventId, type, data.GetRawText()), default));
        Assert.Single(Social.Ids(Social.Ok(await adaApi.GetAsync("/api/feed"))));
    }

    [Fact]
    public async Task An_app_event_with_a_rule_becomes_one_activity_seen_by_friends_and_a_retried_id_adds_neither_activity_nor_XP()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await Chat.BefriendAsync(ada, bob);
        using var adaApi = Chat.Api(ada, "Ada");
        using var bobApi = Chat.Api(bob, "Bob");
        await adaApi.GetAsync("/api/feed"); // the directory learns her name
        var type = $"app.workout{Guid.NewGuid().ToString("N")[..6]}";
        using var server = new Infrastructure.ServerApi(Chat.Server.BaseAddress, TestServer.ApiKey);
        Assert.Equal(HttpStatusCode.Created, (await server.PostAsync("/api/activity-rules", new { type, title = "{name} ran {km} km", description = "event {event_id}" })).Status);
        Assert.Equal(HttpStatusCode.Created, (await server.PostAsync("/api/rules", new { type, xp = 7 })).Status);
        var id = Guid.NewGuid().ToString("N");

        var first = await server.PostAsync("/api/events", new { id, user = ada, type, data = new { km = 5, user = "someone-else" } });
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.False(first.Body.GetProperty("duplicate").GetBoolean());
        Assert.Equal(7, first.Body.GetProperty("effects").GetProperty("xp").GetInt64());
        var made = Social.Ids(Social.Ok(await bobApi.GetAsync("/api/feed"))); // made with the event, in its transaction
        Assert.Single(made);
        Assert.Equal(made[0], first.Body.GetProperty("effects").GetProperty("activity").GetProperty("id").GetString()); // and in the answer
        Assert.StartsWith("event-", made[0], StringComparison.Ordinal);
        var activity = Social.Ok(await adaApi.GetAsync($"/api/activities/{made[0]}"));
        Assert.Equal(("Ada ran 5 km", $"event {id}", type, ada),
            (activity.GetProperty("title").GetString(), activity.GetProperty("description").GetString(), activity.GetProperty("type").GetString(),
                activity.GetProperty("user").GetString()));
        Assert.Equal(made, Social.Ids(Social.Ok(await adaApi.GetAsync("/api/feed"))));

        // The same id again: the first answer, nothing raised again; and gamification never handled its own event.
        var again = await server.PostAsync("/api/events", new { id, user = ada, type, data = new { km = 5 } });
        Assert.True(again.Body.GetProperty("duplicate").GetBoolean());
        await Task.Delay(300); // several dispatcher polls (50 ms): a second handling would have run by now
        Assert.Equal(made, Social.Ids(Social.Ok(await adaApi.GetAsync("/api/feed"))));
        Assert.Equal(made, Social.Ids(Social.Ok(await bobApi.GetAsync("/api/feed"))));
        Assert.Equal(7, Social.Ok(await server.GetAsync($"/api/users/{ada}/profile")).GetProperty("xp").GetInt64());
    }

    [Fact]
    public async Task A_hundred_concurrent_likes_count_a_hundred_a_double_like_counts_once_and_the_author_keeps_one_notification()
    {
        var ada = Users.New("ada");
        var fans = Enumerable.Range(0, 100).Select(i => Users.New($"fan{i}")).ToList();
        foreach (var fan in fans)
        {
            await Chat.BefriendAsync(ada, fan);
        }
        using var adaApi = Chat.Api(ada);
        var id = (await adaApi.PostActivityAsync("Marathon")).GetProperty("id").GetString();
        await Task.WhenAll(fans.Select(async fan =>
        {
            using var api = Chat.Api(fan);
            Social.Ok(await api.PostAsync($"/api/activities/{id}/likes", new { }));
        }));
        Assert.Equal(100, Social.Ok(await adaApi.GetAsync($"/api/activities/{id}")).GetProperty("like_count").GetInt64());

        using var twice = Chat.Api(fans[0]);
        await Task.WhenAll(twice.PostAsync($"/api/activities/{id}/likes", new { }), twice.PostAsync($"/api/activities/{id}/likes", new { }));
        var seen = Social.Ok(await twice.GetAsync($"/api/activities/{id}"));
        Assert.Equal((100L, true), (seen.GetProperty("like_count").GetInt64(), seen.GetProperty("liked_by_me").GetBoolean()));
        var unliked = Social.Ok(await twice.DeleteAsync($"/api/activities/{id}/likes"));
        Assert.Equal((99L, false), (unliked.GetProperty("like_count").GetInt64(), unliked.GetProperty("liked_by_me").GetBoolean()));
        Assert.Equal(99, Social.Ok(await twice.DeleteAsync($"/api/activities/{id}/likes")).GetProperty("like_count").GetInt64());

        var grouped = Assert.Single(await LikeNoticesAsync(adaApi, "?unread=true")).GetProperty("data"); // written again for the 99 likes left, by one of them
        Assert.Equal(99, grouped.GetProperty("like_count").GetInt64());
        Assert.Contains(grouped.GetProperty("user").GetString(), fans.Skip(1));
    }

    [Fact]
    public async Task A_like_and_its_taking_back_reach_the_author_live_with_the_count_and_a_second_unlike_announces_nothing()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await Chat.BefriendAsync(ada, bob);
        using var adaApi = Chat.Api(ada);
        var id = (await adaApi.PostActivityAsync("Swim")).GetProperty("id").GetString();
        await using var adaWs = await Chat.ConnectAsync(ada);
        await adaWs.SubscribeAsync($"user:{ada}");
        using var bobApi = Chat.Api(bob, "Bob");
        Social.Ok(await bobApi.PostAsync($"/api/activities/{id}/likes", new { }));
        Assert.Equal(1, (await adaWs.NextAsync(f => f.Type() == "activity_liked")).GetProperty("data").GetProperty("like_count").GetInt64());

        Social.Ok(await bobApi.DeleteAsync($"/api/activities/{id}/likes"));
        Social.Ok(await bobApi.DeleteAsync($"/api/activities/{id}/likes")); // nothing to take back: no event
        Social.Ok(await bobApi.PostAsync($"/api/activities/{id}/likes", new { }));
        var unliked = (await adaWs.NextAsync(f => f.Type() is "activity_unliked" or "activity_liked")).GetProperty("data");
        Assert.Equal((id, bob, "Bob", 0L), (unliked.GetProperty("activity").GetString(), unliked.GetProperty("user").GetString(),
            unliked.GetProperty("name").GetString(), unliked.GetProperty("like_count").GetInt64()));
        // The next event is the new like: the second unlike published nothing in between.
        var next = await adaWs.NextAsync(f => f.Type() is "activity_unliked" or "activity_liked");
        Assert.Equal(("activity_liked", 1L), (next.Type(), next.GetProperty("data").GetProperty("like_count").GetInt64()));
        var types = Social.Ok(await adaApi.GetAsync("/api/notifications")).GetProperty("items").EnumerateArray().Select(n => n.GetProperty("type").GetString());
        Assert.DoesNotContain("activity_unliked", types);
        // The first like's notice went with the like taken back (no like left); the new like has its own.
        Assert.Equal(1, types.Count(t => t == "activity_liked"));
    }

    /// <summary>The <c>activity_liked</c> notifications in the inbox of <paramref name="api"/>'s user (<paramref name="query"/>: e.g. <c>?unread=true</c>).</summary>
    private static async Task<List<JsonElement>> LikeNoticesAsync(ApiClient api, string query) =>
        Social.Ok(await api.GetAsync("/api/notifications" + query)).GetProperty("items").EnumerateArray()
            .Where(n => n.GetProperty("type").GetString() == "activity_liked").ToList();

    [Fact]
    public async Task A_like_taken_back_leaving_no_like_withdraws_the_unread_notice_and_a_read_one_stays()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await Chat.BefriendAsync(ada, bob);
        using var adaApi = Chat.Api(ada);
        using var bobApi = Chat.Api(bob, "Bob");
        var id = (await adaApi.PostActivityAsync("Row")).GetProperty("id").GetString();

        Social.Ok(await bobApi.PostAsync($"/api/activities/{id}/likes", new { }));
        Assert.Single(await LikeNoticesAsync(adaApi, "?unread=true"));
        Social.Ok(await bobApi.DeleteAsync($"/api/activities/{id}/likes"));
        Assert.Empty(await LikeNoticesAsync(adaApi, ""));

        Social.Ok(await bobApi.PostAsync($"/api/activities/{id}/likes", new { }));
        var notice = Assert.Single(await LikeNoticesAsync(adaApi, "?unread=true"));
        Social.Ok(await adaApi.PostAsync("/api/notifications/read", new { up_to = notice.GetProperty("id").GetString() }));
        Social.Ok(await bobApi.DeleteAsync($"/api/activities/{id}/likes"));
        var kept = Assert.Single(await LikeNoticesAsync(adaApi, "")); // read: it is the author's history now
        Assert.True(kept.GetProperty("read").GetBoolean());
    }

    [Fact]
    public async Task A_like_taken_back_while_others_remain_renames_the_unread_notice_for_the_newest_remaining_liker()
    {
        var (ada, bob, cat) = (Users.New("ada"), Users.New("bob"), Users.New("cat"));
        await Chat.BefriendAsync(ada, bob);
        await Chat.BefriendAsync(ada, cat);
        using var adaApi = Chat.Api(ada);
        using var bobApi = Chat.Api(bob, "Bob");
        using var catApi = Chat.Api(cat, "Cat");
        var id = (await adaApi.PostActivityAsync("Row")).GetProperty("id").GetString();
        static (string?, string?, long) Named(JsonElement notice) => (notice.GetProperty("data").GetProperty("user").GetString(),
            notice.GetProperty("data").GetProperty("name").GetString(), notice.GetProperty("data").GetProperty("like_count").GetInt64());

        Social.Ok(await bobApi.PostAsync($"/api/activities/{id}/likes", new { }));
        Social.Ok(await catApi.PostAsync($"/api/activities/{id}/likes", new { }));
        Assert.Equal((cat, "Cat", 2L), Named(Assert.Single(await LikeNoticesAsync(adaApi, "?unread=true"))));

        Social.Ok(await catApi.DeleteAsync($"/api/activities/{id}/likes"));
        Assert.Equal((bob, "Bob", 1L), Named(Assert.Single(await LikeNoticesAsync(adaApi, "")))); // one notice, no longer naming Cat

        // Read, it is history: taking a like back changes nothing in it and adds nothing.
        Social.Ok(await catApi.PostAsync($"/api/activities/{id}/likes", new { }));
        var notice = Assert.Single(await LikeNoticesAsync(adaApi, "?unread=true"));
        Social.Ok(await adaApi.PostAsync("/api/notifications/read", new { up_to = notice.GetProperty("id").GetString() }));
        Social.Ok(await catApi.DeleteAsync($"/api/activities/{id}/likes"));
        Assert.Empty(await LikeNoticesAsync(adaApi, "?unread=true"));
        Assert.Equal((cat, "Cat", 2L), Named(Assert.Single(await LikeNoticesAsync(adaApi, ""), n => n.GetProperty("read").GetBoolean())));
    }

    [Fact]
    public async Task A_feed_page_carries_each_activitys_newest_comments_and_my_own_likes_only()
    {
        // On PostgreSQL the page and its latest comments are one statement (one row per activity and comment); on SQLite two.
        var (ada, bob, cat) = (Users.New("ada"), Users.New("bob"), Users.New("cat"));
        await Chat.BefriendAsync(ada, bob);
        await Chat.BefriendAsync(ada, cat);
        using var adaApi = Chat.Api(ada);
        using var bobApi = Chat.Api(bob, "Bob");
        using var catApi = Chat.Api(cat, "Cat");
        var talked = (await adaApi.PostActivityAsync("Talked about")).GetProperty("id").GetString();
        var quiet = (await adaApi.PostActivityAsync("Quiet")).GetProperty("id").GetString();
        var written = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var writer = i % 2 == 0 ? bobApi : catApi;
            written.Add(Social.Ok(await writer.PostAsync($"/api/activities/{talked}/comments", new { text = $"c{i}" })).GetProperty("id").GetString()!);
        }
        Social.Ok(await catApi.PostAsync($"/api/activities/{talked}/likes", new { }));
        Social.Ok(await bobApi.PostAsync($"/api/activities/{quiet}/likes", new { }));

        var page = Social.Ok(await bobApi.GetAsync("/api/feed?limit=2")).GetProperty("activities");
        Assert.Equal([quiet, talked], page.EnumerateArray().Select(a => a.GetProperty("id").GetString()));
        Assert.Equal((0, 0L, true, 1L), (page[0].GetProperty("latest_comments").GetArrayLength(), page[0].GetProperty("comment_count").GetInt64(),
            page[0].GetProperty("liked_by_me").GetBoolean(), page[0].GetProperty("like_count").GetInt64()));
        var latest = page[1].GetProperty("latest_comments").EnumerateArray().ToList();
        Assert.Equal(((IEnumerable<string>)written).Reverse().Take(3), latest.Select(c => c.GetProperty("id").GetString()!)); // the newest 3, newest first
        Assert.Equal(["c4", "c3", "c2"], latest.Select(c => c.GetProperty("text").GetString()));
        Assert.Equal(["Bob", "Cat", "Bob"], latest.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal((5L, false, 1L), (page[1].GetProperty("comment_count").GetInt64(), page[1].GetProperty("liked_by_me").GetBoolean(),
            page[1].GetProperty("like_count").GetInt64()));
    }

    [Fact]
    public async Task Comments_are_bounded_kept_literally_announced_to_the_author_and_deleted_by_writer_or_author()
    {
        var (ada, bob, cat) = (Users.New("ada"), Users.New("bob"), Users.New("cat"));
        await Chat.BefriendAsync(ada, bob);
        await Chat.BefriendAsync(ada, cat);
        using var adaApi = Chat.Api(ada);
        var id = (await adaApi.PostActivityAsync("Ride")).GetProperty("id").GetString();
        await using var adaWs = await Chat.ConnectAsync(ada);
        await adaWs.SubscribeAsync($"user:{ada}");
        using var bobApi = Chat.Api(bob, "Bob");
        const string hostile = "<script>alert(1)</script> '; DROP TABLE social_comments; -- \u202e {name}";
        var comment = Social.Ok(await bobApi.PostAsync($"/api/activities/{id}/comments", new { text = hostile }));
        Assert.Equal(hostile, comment.GetProperty("text").GetString());
        var live = (await adaWs.NextAsync(f => f.Type() == "activity_commented")).GetProperty("data");
        Assert.Equal((id, hostile, 1L), (live.GetProperty("activity").GetString(), live.GetProperty("comment").GetProperty("text").GetString(),
            live.GetProperty("comment_count").GetInt64()));

        var tooLong = await bobApi.PostAsync($"/api/activities/{id}/comments", new { text = new string('x', 1001) });
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "too_large"), (tooLong.Status, tooLong.Code));
        Assert.Equal(HttpStatusCode.BadRequest, (await bobApi.PostAsync($"/api/activities/{id}/comments", new { text = "a\0b" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await bobApi.PostAsync($"/api/activities/{id}/comments", new { text = "  " })).Status);

        var feedItem = Social.Ok(await bobApi.GetAsync("/api/feed")).GetProperty("activities")[0];
        Assert.Equal(hostile, feedItem.GetProperty("latest_comments")[0].GetProperty("text").GetString());
        using var catApi = Chat.Api(cat);
        var commentId = comment.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.Forbidden, (await catApi.DeleteAsync($"/api/activities/{id}/comments/{commentId}")).Status);
        var catComment = Social.Ok(await catApi.PostAsync($"/api/activities/{id}/comments", new { text = "nice" })).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await catApi.DeleteAsync($"/api/activities/{id}/comments/{catComment}")).Status); // own
        Assert.Equal(HttpStatusCode.NoContent, (await adaApi.DeleteAsync($"/api/activities/{id}/comments/{commentId}")).Status); // the author
        var left = Social.Ok(await adaApi.GetAsync($"/api/activities/{id}/comments"));
        Assert.Empty(left.GetProperty("comments").EnumerateArray());
        Assert.Equal(0, Social.Ok(await adaApi.GetAsync($"/api/activities/{id}")).GetProperty("comment_count").GetInt64());
    }

    [Fact]
    public async Task Pages_do_not_shift_while_new_activities_arrive()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await Chat.BefriendAsync(ada, bob);
        using var adaApi = Chat.Api(ada);
        using var bobApi = Chat.Api(bob);
        var older = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            older.Insert(0, (await (i % 2 == 0 ? adaApi : bobApi).PostActivityAsync($"old {i}")).GetProperty("id").GetString()!);
        }
        var seen = new List<string>();
        var page = Social.Ok(await bobApi.GetAsync("/api/feed?limit=2"));
        seen.AddRange(Social.Ids(page));
        while (page.GetProperty("next_cursor").GetString() is { } cursor)
        {
            await adaApi.PostActivityAsync("newer"); // arrives between pages
            page = Social.Ok(await bobApi.GetAsync($"/api/feed?limit=2&before={cursor}"));
            seen.AddRange(Social.Ids(page));
        }
        Assert.Equal(older, seen);
    }

    [Fact]
    public async Task Bad_and_unauthorized_calls_are_refused_with_protocol_codes()
    {
        var (ada, eve) = (Users.New("ada"), Users.New("eve"));
        using var anonymous = Chat.Anonymous();
        foreach (var path in new[] { "/api/feed", "/api/friends", $"/api/users/{ada}/activities" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).Status);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/activities", new { type = "run", title = "x" })).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/activity-rules", new { type = "run", title = "x" })).Status);
        using var api = Chat.Api(ada);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/friends", new { user = ada })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/friends", new { user = "no spaces" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/activities", new { type = "run" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/activities", new { type = "r u n", title = "x" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/activities", new { type = "run", title = "x", data = new[] { 1 } })).Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await api.PostAsync("/api/activities", new { type = "run", title = new string('t', 201) })).Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge,
            (await api.PostAsync("/api/activities", new { type = "run", title = "x", data = new { blob = new string('d', 9000) } })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostRawAsync("/api/activities", "{not json")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/feed?limit=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/feed?limit=101")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/feed?before=abc")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/activities/nope")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PatchAsync("/api/activities/nope", new { title = "x" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync($"/api/users/{eve}/activities")).Status);

        // Edit: only the author; the server acts for a named user.
        var id = (await api.PostActivityAsync("Before")).GetProperty("id").GetString();
        Assert.Equal("After", Social.Ok(await api.PatchAsync($"/api/activities/{id}", new { title = "After" })).GetProperty("title").GetString());
        using var server = new Infrastructure.ServerApi(Chat.Server.BaseAddress, TestServer.ApiKey);
        var byServer = await server.PostAsync("/api/activities", new { user = ada, type = "run", title = "From the backend" });
        Assert.Equal((HttpStatusCode.Created, ada), (byServer.Status, byServer.Body.GetProperty("user").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, (await server.PostAsync("/api/activities", new { type = "run", title = "nobody named" })).Status);

        // The commands refuse alike.
        await using var adaWs = await Chat.ConnectAsync(ada);
        Assert.Equal("bad_request", (await adaWs.RequestAsync("social.post", new { type = "run" })).ErrorCode());
        Assert.Equal("bad_request", (await adaWs.RequestAsync("social.friend", new { user = ada })).ErrorCode());
        Assert.Equal("too_large", (await adaWs.RequestAsync("social.comment", new { activity = id, text = new string('x', 1001) })).ErrorCode());
        Assert.Equal("not_found", (await adaWs.RequestAsync("social.get", new { activity = "nope" })).ErrorCode());
        Assert.Equal("forbidden", (await adaWs.RequestAsync("social.activities", new { of = eve })).ErrorCode());
        Assert.Equal("forbidden", (await adaWs.RequestAsync("social.post", new { type = "run", title = "x", user = eve })).ErrorCode()); // acting for another
        // An empty cursor is no cursor, over the socket as over REST (?before=): the first page; a bad one is refused.
        var firstPage = await adaWs.OkAsync("social.feed", new { before = "" });
        Assert.Contains(firstPage.GetProperty("activities").EnumerateArray(), a => a.GetProperty("title").GetString() == "After");
        Assert.Equal("bad_request", (await adaWs.RequestAsync("social.feed", new { before = "abc" })).ErrorCode());
    }

    [Fact]
    public async Task A_body_nests_as_deep_over_rest_as_over_its_websocket_command()
    {
        // FEATURES.md: the same validation both ways. REST took a body nested 63 levels; the command refuses a frame past 32,
        // and the body is the frame's data, one level down: 31 levels for a body.
        var ada = Users.New("ada");
        using var adaApi = Chat.Api(ada, "Ada");
        await using var adaWs = await Chat.ConnectAsync(ada, "Ada");
        // An activity's data is an object: objects within objects, {"a":{"a":…{}}}, depth levels in all.
        static JsonElement Nested(int depth) =>
            JsonDocument.Parse(string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "{}" + new string('}', depth - 1)).RootElement;

        var fits = new { type = "run", title = "Deep enough", data = Nested(30) }; // 31 levels with the body
        Assert.Equal(HttpStatusCode.Created, (await adaApi.PostAsync("/api/activities", fits)).Status);
        Assert.Equal("reply", (await adaWs.RequestAsync("social.post", fits)).GetProperty("type").GetString());

        var deep = new { type = "run", title = "Too deep", data = Nested(31) };
        var rest = await adaApi.PostAsync("/api/activities", deep);
        Assert.Equal(HttpStatusCode.BadRequest, rest.Status);
        Assert.Contains("nested deeper than 31 levels", rest.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("bad_request", (await adaWs.RequestAsync("social.post", deep)).ErrorCode());
        var mine = await adaApi.GetAsync($"/api/users/{ada}/activities");
        Assert.DoesNotContain(mine.Body.GetProperty("activities").EnumerateArray(), a => a.GetProperty("title").GetString() == "Too deep");
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(25);
        }
    }

    [Fact]
    public async Task A_users_activities_read_by_the_server_as_the_path_user_and_me_as_the_caller()
    {
        // The audit: with X-Api-Key and no ?user=, /api/users/{id}/activities was 400 (the profile beside it 200), and
        // /api/users/me/activities took "me" for a user id (403).
        var (ada, bob, cy) = (Users.New("ada"), Users.New("bob"), Users.New("cy"));
        await Chat.BefriendAsync(ada, bob);
        using var adaApi = Chat.Api(ada, "Ada");
        var run = (await adaApi.PostActivityAsync("Run")).GetProperty("id").GetString();
        using var server = new Infrastructure.ServerApi(Chat.Server.BaseAddress, TestServer.ApiKey);
        Assert.Equal([run!], Social.Ids(Social.Ok(await server.GetAsync($"/api/users/{ada}/activities"))));
        Assert.Equal([run!], Social.Ids(Social.Ok(await server.GetAsync($"/api/users/{ada}/activities?user={bob}")))); // a friend reads
        Assert.Equal(HttpStatusCode.Forbidden, (await server.GetAsync($"/api/users/{ada}/activities?user={cy}")).Status); // a stranger does not

        Assert.Equal([run!], Social.Ids(Social.Ok(await adaApi.GetAsync("/api/users/me/activities"))));
        using var bobApi = Chat.Api(bob);
        Assert.Empty(Social.Ids(Social.Ok(await bobApi.GetAsync("/api/users/me/activities")))); // Bob's own: none
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync("/api/users/me/activities")).Status); // the server is nobody
    }
}

public sealed class SqliteSocialTests(SqliteSocial fixture) : SocialTests(fixture), IClassFixture<SqliteSocial>;

public sealed class PostgresSocialTests(PostgresSocial fixture) : SocialTests(fixture), IClassFixture<PostgresSocial>;
