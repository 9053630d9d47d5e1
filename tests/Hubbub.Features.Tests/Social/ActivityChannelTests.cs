using System.Net;
using System.Text.Json;

namespace Hubbub.Features.Tests.Social;

/// <summary>
/// The <c>activity:{id}</c> channel on a real server: a friend viewer's join state and live likes, unlikes, comments,
/// comment deletions, edits and deletion (the author's <c>user:{id}</c> events unchanged); a stranger, a blocked user
/// and an unknown id are refused like the REST read; clients never publish there; an ended friendship ends the
/// ex-friend's subscription.
/// </summary>
public abstract class ActivityChannelTests(SocialFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task A_friend_viewer_gets_the_state_then_every_like_comment_edit_and_the_deletion_live()
    {
        var (ada, bob, cat) = (Users.New("ada"), Users.New("bob"), Users.New("cat"));
        await Chat.BefriendAsync(ada, bob);
        await Chat.BefriendAsync(ada, cat);
        using var adaApi = Chat.Api(ada, "Ada");
        var id = (await adaApi.PostActivityAsync("Morning run")).GetProperty("id").GetString()!;
        using var bobApi = Chat.Api(bob, "Bob");
        Social.Ok(await bobApi.PostAsync($"/api/activities/{id}/likes", new { }));
        var first = Social.Ok(await bobApi.PostAsync($"/api/activities/{id}/comments", new { text = "Go!" }));

        // Bob views it: the join state is the activity as he sees it.
        var channel = $"activity:{id}";
        await using var bobWs = await Chat.ConnectAsync(bob, "Bob");
        var state = (await bobWs.SubscribeAsync(channel)).GetProperty("state");
        Assert.Equal((id, 1L, 1L, true), (state.GetProperty("id").GetString(), state.GetProperty("like_count").GetInt64(),
            state.GetProperty("comment_count").GetInt64(), state.GetProperty("liked_by_me").GetBoolean()));
        Assert.Equal((first.GetProperty("id").GetString(), "Go!"), (state.GetProperty("latest_comments")[0].GetProperty("id").GetString(),
            state.GetProperty("latest_comments")[0].GetProperty("text").GetString()));
        await using var adaWs = await Chat.ConnectAsync(ada, "Ada");
        await adaWs.SubscribeAsync($"user:{ada}");

        // Cat (another friend) likes, takes it back, comments, deletes the comment: Bob sees the counts move.
        using var catApi = Chat.Api(cat, "Cat");
        Social.Ok(await catApi.PostAsync($"/api/activities/{id}/likes", new { }));
        var liked = await Next(bobWs, channel, "activity_liked");
        Assert.Equal((id, cat, "Cat", 2L), (liked.GetProperty("activity").GetString(), liked.GetProperty("user").GetString(),
            liked.GetProperty("name").GetString(), liked.GetProperty("like_count").GetInt64()));
        Assert.Equal(2, (await adaWs.NextAsync(f => f.Type() == "activity_liked" && f.Channel() == $"user:{ada}"))
            .GetProperty("data").GetProperty("like_count").GetInt64()); // the author's event as before

        Social.Ok(await catApi.DeleteAsync($"/api/activities/{id}/likes"));
        Assert.Equal(1, (await Next(bobWs, channel, "activity_unliked")).GetProperty("like_count").GetInt64());

        var comment = Social.Ok(await catApi.PostAsync($"/api/activities/{id}/comments", new { text = "<b>Nice</b>" }));
        var commented = await Next(bobWs, channel, "activity_commented");
        Assert.Equal((id, "<b>Nice</b>", cat, 2L), (commented.GetProperty("activity").GetString(),
            commented.GetProperty("comment").GetProperty("text").GetString(), commented.GetProperty("comment").GetProperty("user").GetString(),
            commented.GetProperty("comment_count").GetInt64()));

        var commentId = comment.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await catApi.DeleteAsync($"/api/activities/{id}/comments/{commentId}")).Status);
        var gone = await Next(bobWs, channel, "comment_deleted");
        Assert.Equal((id, commentId, 1L), (gone.GetProperty("activity").GetString(), gone.GetProperty("comment").GetString(),
            gone.GetProperty("comment_count").GetInt64()));

        // The author edits and deletes it; the same channel hears both (through the command as well as REST).
        Social.Ok(await adaApi.PatchAsync($"/api/activities/{id}", new { title = "Long run" }));
        Assert.Equal("Long run", (await Next(bobWs, channel, "activity_updated")).GetProperty("activity").GetProperty("title").GetString());
        await adaWs.OkAsync("social.delete", new { activity = id });
        Assert.Equal(id, (await Next(bobWs, channel, "activity_deleted")).GetProperty("id").GetString());

        // Gone: a new subscribe is refused like the REST read.
        await using var catWs = await Chat.ConnectAsync(cat);
        Assert.Equal("not_found", (await catWs.RequestAsync("subscribe", new { channel })).ErrorCode());
    }

    [Fact]
    public async Task A_stranger_a_blocked_user_and_an_unknown_id_are_refused_and_nobody_publishes_from_a_client()
    {
        var (ada, bob, eve) = (Users.New("ada"), Users.New("bob"), Users.New("eve"));
        await Chat.BefriendAsync(ada, bob);
        await Chat.BefriendAsync(ada, eve);
        using var adaApi = Chat.Api(ada);
        var id = (await adaApi.PostActivityAsync("Swim")).GetProperty("id").GetString()!;
        var channel = $"activity:{id}";
        Social.Ok(await adaApi.PostAsync("/api/blocks", new { user = eve }));

        foreach (var outsider in new[] { eve, Users.New("zed") })
        {
            await using var ws = await Chat.ConnectAsync(outsider);
            Assert.Equal("not_found", (await ws.RequestAsync("subscribe", new { channel })).ErrorCode());
            Assert.Equal("not_found", (await ws.RequestAsync("history", new { channel })).ErrorCode());
        }
        await using var bobWs = await Chat.ConnectAsync(bob);
        Assert.Equal("not_found", (await bobWs.RequestAsync("subscribe", new { channel = "activity:0123456789abcdef0123" })).ErrorCode());
        await bobWs.SubscribeAsync(channel);
        Assert.Equal("forbidden", (await bobWs.RequestAsync("publish", new { channel, data = new { like_count = 1000 } })).ErrorCode());
        await using var adaWs = await Chat.ConnectAsync(ada);
        await adaWs.SubscribeAsync(channel); // the author views it too
        Assert.Equal("forbidden", (await adaWs.RequestAsync("publish", new { channel, data = new { } })).ErrorCode());
        // Typing and cursors are a client's payload relayed to every subscriber: refused where only the server speaks.
        Assert.Equal("forbidden", (await adaWs.RequestAsync("typing", new { channel, is_typing = true })).ErrorCode());
        Assert.Equal("forbidden", (await adaWs.RequestAsync("cursor", new { channel, x = 1, y = 2 })).ErrorCode());
    }

    [Fact]
    public async Task An_ended_friendship_ends_the_ex_friends_subscription_and_nothing_more_reaches_them()
    {
        var (ada, bob, cat) = (Users.New("ada"), Users.New("bob"), Users.New("cat"));
        await Chat.BefriendAsync(ada, bob);
        await Chat.BefriendAsync(ada, cat);
        using var adaApi = Chat.Api(ada);
        var id = (await adaApi.PostActivityAsync("Climb")).GetProperty("id").GetString()!;
        var channel = $"activity:{id}";
        await using var bobWs = await Chat.ConnectAsync(bob);
        await bobWs.SubscribeAsync(channel);
        await using var catWs = await Chat.ConnectAsync(cat);
        await catWs.SubscribeAsync(channel);

        Assert.Equal("removed", Social.Ok(await adaApi.DeleteAsync($"/api/friends/{bob}")).GetProperty("status").GetString());
        var ended = await bobWs.NextAsync(f => f.Type() == "unsubscribed" && f.Channel() == channel);
        Assert.Equal("no longer friends", ended.GetProperty("data").GetProperty("reason").GetString());

        using var catApi = Chat.Api(cat);
        Social.Ok(await catApi.PostAsync($"/api/activities/{id}/likes", new { }));
        Assert.Equal(1, (await Next(catWs, channel, "activity_liked")).GetProperty("like_count").GetInt64());
        Assert.Empty(await bobWs.PendingAfterSyncAsync(f => f.Channel() == channel && f.Type() == "activity_liked"));
        Assert.Equal("not_found", (await bobWs.RequestAsync("subscribe", new { channel })).ErrorCode());
    }

    private static async Task<JsonElement> Next(WsClient ws, string channel, string type) =>
        (await ws.NextAsync(f => f.Type() == type && f.Channel() == channel)).GetProperty("data");
}

public sealed class SqliteActivityChannelTests(SqliteSocial fixture) : ActivityChannelTests(fixture), IClassFixture<SqliteSocial>;

public sealed class PostgresActivityChannelTests(PostgresSocial fixture) : ActivityChannelTests(fixture), IClassFixture<PostgresSocial>;
