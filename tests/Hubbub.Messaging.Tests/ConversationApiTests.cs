using System.Net;
using System.Text.Json;
using Hubbub.Messaging.Tests.Infrastructure;

namespace Hubbub.Messaging.Tests;

/// <summary>Conversations over REST: create, list, get, add participants, leave, and the events they cause.</summary>
public abstract class ConversationApiTests(ChatFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task A_direct_conversation_is_created_once_and_asking_again_returns_it()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada, "Ada L.");
        using var bobApi = Chat.Api(bob, "Bob B.");
        Assert.Equal(HttpStatusCode.OK, (await bobApi.GetAsync("/api/conversations")).Status); // bob's name is now known

        var created = await adaApi.CreateAsync([bob]);
        Assert.Equal("direct", created.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("title").ValueKind);
        Assert.Equal(JsonValueKind.Null, created.GetProperty("last_message").ValueKind);
        Assert.Equal(0, created.GetProperty("unread_count").GetInt64());
        Assert.EndsWith("Z", created.GetProperty("created_at").GetString(), StringComparison.Ordinal);
        var participants = created.GetProperty("participants").EnumerateArray()
            .ToDictionary(p => p.GetProperty("user").GetString()!, p => p.GetProperty("name").GetString());
        Assert.Equal("Ada L.", participants[ada]);
        Assert.Equal("Bob B.", participants[bob]);

        var again = await bobApi.PostAsync("/api/conversations", new { participants = new[] { ada } });
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(created.GetProperty("id").GetString(), again.Body.GetProperty("id").GetString());
    }

    [Fact]
    public async Task My_conversations_come_in_pages_newest_activity_first_each_once()
    {
        var me = Users.New("pager");
        using var api = Chat.Api(me);
        var made = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            made.Add(Id(await api.CreateAsync([Users.New($"peer{i}")])));
        }
        await api.SendAsync(made[2], "bump"); // activity moves it to the top

        var seen = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 10; page++)
        {
            var answer = (await api.GetAsync(cursor is null ? "/api/conversations?limit=3" : $"/api/conversations?limit=3&before={Uri.EscapeDataString(cursor)}")).Body;
            var ids = answer.GetProperty("conversations").EnumerateArray().Select(Id).ToList();
            Assert.InRange(ids.Count, 1, 3);
            seen.AddRange(ids);
            cursor = answer.GetProperty("next_cursor").GetString();
            if (cursor is null)
            {
                break;
            }
        }
        Assert.Equal([made[2], made[6], made[5], made[4], made[3], made[1], made[0]], seen);
        Assert.Equal(7, (await api.GetAsync("/api/conversations")).Body.GetProperty("conversations").GetArrayLength()); // default 50

        Assert.Equal("bad_request", (await api.GetAsync("/api/conversations?limit=0")).Code);
        Assert.Equal("bad_request", (await api.GetAsync("/api/conversations?limit=101")).Code);
        Assert.Equal("bad_request", (await api.GetAsync("/api/conversations?before=garbage")).Code);
        Assert.Equal("bad_request", (await api.GetAsync("/api/conversations?before=12_x")).Code);
    }

    [Fact]
    public async Task A_direct_conversation_with_a_title_is_refused_not_stripped()
    {
        using var api = Chat.Api(Users.New("ada"));
        var refused = await api.PostAsync("/api/conversations", new { kind = "direct", participants = new[] { Users.New("bob") }, title = "x" });
        Assert.Equal((HttpStatusCode.BadRequest, "bad_request"), (refused.Status, refused.Code));
    }

    [Fact]
    public async Task A_user_never_seen_is_named_by_their_id()
    {
        var (ada, ghost) = (Users.New("ada"), Users.New("ghost"));
        using var api = Chat.Api(ada);
        var created = await api.CreateAsync([ghost]);
        var names = created.GetProperty("participants").EnumerateArray().Select(p => (p.GetProperty("user").GetString(), p.GetProperty("name").GetString()));
        Assert.Contains((ghost, ghost), names);
    }

    [Fact]
    public async Task A_name_learned_from_a_connection_is_known_as_soon_as_its_welcome_arrives()
    {
        // A backend often acts for a user right after they connect: the name their token carries must be stored by then.
        // (Before the fix the name was stored in the background and this lost the race now and then, mostly under load.)
        var bob = Users.New("bob");
        for (var round = 0; round < 20; round++)
        {
            var name = $"Bob {round}"; // a new name each time: the node knew the one before
            using var api = Chat.Api(Users.New("ada")); // a new direct conversation each time
            await using (var ws = await Chat.ConnectAsync(bob, name))
            {
                var created = await api.CreateAsync([bob]);
                var names = created.GetProperty("participants").EnumerateArray().Select(p => (p.GetProperty("user").GetString(), p.GetProperty("name").GetString()));
                Assert.Contains((bob, name), names);
            }
        }
    }

    [Fact]
    public async Task Names_of_many_users_connecting_at_once_are_each_stored_before_their_welcome()
    {
        // Connects that arrive together have their names stored together (one statement for those queued while a write
        // runs): each must still find its own name stored when its welcome arrives, and a user named twice in one
        // batch keeps the later name.
        var users = Enumerable.Range(0, 40).Select(i => (User: Users.New($"crowd{i}"), Name: $"Crowd {i}")).ToArray();
        using var api = Chat.Api(Users.New("host"));
        var sockets = await Task.WhenAll(users.Select(async u =>
        {
            var ws = await Chat.ConnectAsync(u.User, u.Name);
            var created = await api.CreateAsync([u.User]); // reads the name from the database (a join on the directory)
            var names = created.GetProperty("participants").EnumerateArray().Select(p => (p.GetProperty("user").GetString(), p.GetProperty("name").GetString()));
            Assert.Contains((u.User, u.Name), names);
            return ws;
        }));
        var renamed = users[0].User;
        var twice = await Task.WhenAll(Chat.ConnectAsync(renamed, "First"), Chat.ConnectAsync(renamed, "Second"));
        await using (var last = await Chat.ConnectAsync(renamed, "Last"))
        {
            var profile = (await api.GetAsync($"/api/users/{renamed}")).Body;
            Assert.Equal("Last", profile.GetProperty("name").GetString());
        }
        foreach (var ws in sockets.Concat(twice))
        {
            await ws.DisposeAsync();
        }
    }

    [Fact]
    public async Task Groups_list_newest_activity_first_with_last_message_and_unread_count()
    {
        var (ada, bob, cy) = (Users.New("ada"), Users.New("bob"), Users.New("cy"));
        using var adaApi = Chat.Api(ada);
        using var bobApi = Chat.Api(bob);
        var older = await adaApi.CreateAsync([bob, cy], title: "  Older  ");
        Assert.Equal("group", older.GetProperty("kind").GetString());
        Assert.Equal("Older", older.GetProperty("title").GetString());
        var newer = await adaApi.CreateAsync([bob], kind: "group", title: "Newer");
        Assert.Equal("group", newer.GetProperty("kind").GetString());

        await adaApi.SendAsync(Id(older), "one");
        await adaApi.SendAsync(Id(older), "two");

        var list = (await bobApi.GetAsync("/api/conversations")).Body.GetProperty("conversations").EnumerateArray().ToList();
        Assert.Equal([Id(older), Id(newer)], list.Select(Id));
        Assert.Equal("two", list[0].GetProperty("last_message").GetProperty("text").GetString());
        Assert.Equal(2, list[0].GetProperty("unread_count").GetInt64());
        Assert.Equal(0, list[1].GetProperty("unread_count").GetInt64());

        // The sender has read what they wrote.
        var mine = (await adaApi.GetAsync($"/api/conversations/{Id(older)}")).Body;
        Assert.Equal(0, mine.GetProperty("unread_count").GetInt64());
        Assert.Equal(3, mine.GetProperty("participants").GetArrayLength());
    }

    [Fact]
    public async Task Getting_a_conversation_is_not_found_or_forbidden_as_it_should_be()
    {
        var (ada, bob, eve) = (Users.New("ada"), Users.New("bob"), Users.New("eve"));
        using var adaApi = Chat.Api(ada);
        using var eveApi = Chat.Api(eve);
        var c = await adaApi.CreateAsync([bob]);

        var forbidden = await eveApi.GetAsync($"/api/conversations/{Id(c)}");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.Equal("forbidden", forbidden.Code);
        foreach (var id in new[] { "999999999", "abc", "-1", "0", "1e3", "%20", "99999999999999999999999" })
        {
            var missing = await adaApi.GetAsync($"/api/conversations/{id}");
            Assert.Equal(HttpStatusCode.NotFound, missing.Status);
            Assert.Equal("not_found", missing.Code);
        }
        Assert.DoesNotContain(Id(c), (await eveApi.GetAsync("/api/conversations")).Body.GetProperty("conversations").EnumerateArray().Select(Id));
    }

    [Fact]
    public async Task Creating_refuses_bad_input_with_protocol_codes()
    {
        var ada = Users.New("ada");
        using var api = Chat.Api(ada);
        var cases = new (string? Body, HttpStatusCode Status, string Code)[]
        {
            (null, HttpStatusCode.BadRequest, "bad_request"),
            ("", HttpStatusCode.BadRequest, "bad_request"),
            ("{not json", HttpStatusCode.BadRequest, "bad_request"),
            ("[]", HttpStatusCode.BadRequest, "bad_request"),
            ("null", HttpStatusCode.BadRequest, "bad_request"),
            ("{}", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"participants":"bob"}""", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"participants":[42]}""", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"participants":[]}""", HttpStatusCode.BadRequest, "bad_request"),
            ($$"""{"participants":["{{ada}}"]}""", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"participants":[""]}""", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"participants":["bob smith"]}""", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"participants":["<script>alert(1)</script>"]}""", HttpStatusCode.BadRequest, "bad_request"),
            ($$"""{"participants":["{{new string('x', 129)}}"]}""", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"kind":"channel","participants":["bob"]}""", HttpStatusCode.BadRequest, "bad_request"),
            ("""{"kind":"direct","participants":["bob","cy"]}""", HttpStatusCode.BadRequest, "bad_request"),
            ($$"""{"participants":["bob"],"title":"{{new string('t', 201)}}"}""", HttpStatusCode.RequestEntityTooLarge, "too_large"),
            (JsonSerializer.Serialize(new { participants = Enumerable.Range(0, 50).Select(i => $"u{i}") }), HttpStatusCode.RequestEntityTooLarge, "too_large"),
            (JsonSerializer.Serialize(new { participants = Enumerable.Range(0, 5000).Select(i => $"u{i}") }), HttpStatusCode.RequestEntityTooLarge, "too_large"),
            ("{\"participants\":[\"bob\"],\"title\":\"" + new string('x', 70_000) + "\"}", HttpStatusCode.RequestEntityTooLarge, "too_large"),
        };
        foreach (var (body, status, code) in cases)
        {
            var answer = await api.PostRawAsync("/api/conversations", body);
            Assert.True(answer.Status == status && answer.Code == code, $"{body?[..Math.Min(body.Length, 80)]} → {answer}");
        }
        Assert.Equal(0, (await api.GetAsync("/api/conversations")).Body.GetProperty("conversations").GetArrayLength());
    }

    [Fact]
    public async Task Adding_participants_announces_the_conversation_and_the_change()
    {
        var (ada, bob, cy, eve) = (Users.New("ada"), Users.New("bob"), Users.New("cy"), Users.New("eve"));
        using var adaApi = Chat.Api(ada);
        using var eveApi = Chat.Api(eve);
        var group = await adaApi.CreateAsync([bob], kind: "group", title: "Team");
        await using var bobWs = await Chat.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"conversation:{Id(group)}");
        await using var cyWs = await Chat.ConnectAsync(cy, "Cy C.");
        await cyWs.SubscribeAsync($"user:{cy}");

        var added = await adaApi.PostAsync($"/api/conversations/{Id(group)}/participants", new { users = new[] { cy, bob } });
        Assert.Equal(HttpStatusCode.OK, added.Status);
        Assert.Equal(3, added.Body.GetProperty("participants").GetArrayLength());

        var changed = await bobWs.NextAsync(f => f.Type() == "participants_changed");
        Assert.Equal(3, changed.GetProperty("data").GetProperty("participants").GetArrayLength());
        var announced = await cyWs.NextAsync(f => f.Type() == "conversation_added");
        Assert.Equal(Id(group), Id(announced.GetProperty("data")));
        Assert.Contains("Cy C.", announced.GetProperty("data").GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("name").GetString()));

        // Only participants add; only to groups; never beyond the limit.
        Assert.Equal("forbidden", (await eveApi.PostAsync($"/api/conversations/{Id(group)}/participants", new { users = new[] { cy } })).Code);
        var direct = await adaApi.CreateAsync([bob]);
        Assert.Equal("bad_request", (await adaApi.PostAsync($"/api/conversations/{Id(direct)}/participants", new { users = new[] { cy } })).Code);
        var many = Enumerable.Range(0, 48).Select(i => $"{cy}-{i}").ToArray();
        var tooMany = await adaApi.PostAsync($"/api/conversations/{Id(group)}/participants", new { users = many });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany.Status);
        Assert.Equal(3, (await adaApi.GetAsync($"/api/conversations/{Id(group)}")).Body.GetProperty("participants").GetArrayLength()); // none of them added
        Assert.Equal("bad_request", (await adaApi.PostRawAsync($"/api/conversations/{Id(group)}/participants", """{"users":[]}""")).Code);
        Assert.Equal("bad_request", (await adaApi.PostRawAsync($"/api/conversations/{Id(group)}/participants", """{"users":"x"}""")).Code);
        Assert.Equal("not_found", (await adaApi.PostAsync("/api/conversations/987654321/participants", new { users = new[] { cy } })).Code);
    }

    [Fact]
    public async Task Leaving_removes_access_and_tells_the_others()
    {
        var (ada, bob, cy) = (Users.New("ada"), Users.New("bob"), Users.New("cy"));
        using var adaApi = Chat.Api(ada);
        using var cyApi = Chat.Api(cy);
        var group = await adaApi.CreateAsync([bob, cy]);
        await using var bobWs = await Chat.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"conversation:{Id(group)}");
        await using var cyLive = await Chat.ConnectAsync(cy);
        await cyLive.SubscribeAsync($"conversation:{Id(group)}");

        var left = await cyApi.DeleteAsync($"/api/conversations/{Id(group)}/participants/me");
        Assert.Equal(HttpStatusCode.NoContent, left.Status);
        var changed = await bobWs.NextAsync(f => f.Type() == "participants_changed");
        Assert.DoesNotContain(cy, changed.GetProperty("data").GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("user").GetString()));

        // The subscription cy opened while a participant ends: told once, then nothing more arrives.
        var ended = await cyLive.NextAsync(f => f.Type() == "unsubscribed");
        Assert.Equal($"conversation:{Id(group)}", ended.Channel());
        Assert.Equal(cy, (await bobWs.NextAsync(f => f.Type() == "presence_leave")).GetProperty("data").GetProperty("user").GetString());
        await adaApi.PostAsync($"/api/conversations/{Id(group)}/messages", new { text = "after cy left" });
        Assert.Equal("after cy left", (await bobWs.NextAsync(f => f.Type() == "message")).GetProperty("data").GetProperty("text").GetString());
        Assert.Empty(await cyLive.PendingAfterSyncAsync(f => f.Type() == "message"));

        Assert.Equal(HttpStatusCode.Forbidden, (await cyApi.GetAsync($"/api/conversations/{Id(group)}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await cyApi.DeleteAsync($"/api/conversations/{Id(group)}/participants/me")).Status);
        Assert.Equal("forbidden", (await cyApi.PostAsync($"/api/conversations/{Id(group)}/messages", new { text = "still here?" })).Code);
        await using var cyWs = await Chat.ConnectAsync(cy);
        Assert.Equal("forbidden", (await cyWs.RequestAsync("subscribe", new { channel = $"conversation:{Id(group)}" })).ErrorCode());
    }

    [Fact]
    public async Task Creating_a_direct_conversation_again_puts_back_the_one_who_left()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        using var bobApi = Chat.Api(bob);
        var c = await adaApi.CreateAsync([bob, bob, ada]);
        Assert.Equal("direct", c.GetProperty("kind").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await bobApi.DeleteAsync($"/api/conversations/{Id(c)}/participants/me")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await bobApi.GetAsync($"/api/conversations/{Id(c)}")).Status);

        var again = await adaApi.PostAsync("/api/conversations", new { participants = new[] { bob } });
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(Id(c), Id(again.Body));
        Assert.Equal(2, again.Body.GetProperty("participants").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await bobApi.GetAsync($"/api/conversations/{Id(c)}")).Status);
    }

    [Fact]
    public async Task Creating_announces_the_conversation_to_every_participant()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await using var bobWs = await Chat.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"user:{bob}");
        using var adaApi = Chat.Api(ada);
        var c = await adaApi.CreateAsync([bob]);
        var added = await bobWs.NextAsync(f => f.Type() == "conversation_added" && f.Channel() == $"user:{bob}");
        Assert.Equal(Id(c), Id(added.GetProperty("data")));
    }

    [Fact]
    public async Task Every_endpoint_refuses_a_missing_or_forged_token_with_401()
    {
        using var anonymous = Chat.Anonymous();
        using var forged = new ApiClient(Chat.Server.BaseAddress, TestTokens.For("ada", key: "not-the-server-key-but-long-enough!!"));
        var calls = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Post, "/api/conversations"), (HttpMethod.Get, "/api/conversations"), (HttpMethod.Get, "/api/conversations/1"),
            (HttpMethod.Post, "/api/conversations/1/participants"), (HttpMethod.Delete, "/api/conversations/1/participants/me"),
            (HttpMethod.Get, "/api/conversations/1/messages"), (HttpMethod.Post, "/api/conversations/1/messages"),
            (HttpMethod.Patch, "/api/conversations/1/messages/1"), (HttpMethod.Delete, "/api/conversations/1/messages/1"),
            (HttpMethod.Post, "/api/conversations/1/read"), (HttpMethod.Get, "/api/users/ada/status"),
        };
        foreach (var (method, path) in calls)
        {
            foreach (var answer in new[] { await anonymous.SendAsync(method, path, "{}"), await forged.SendAsync(method, path, "{}") })
            {
                Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
                Assert.Equal("unauthorized", answer.Body.GetProperty("code").GetString());
            }
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_messaging_endpoints()
    {
        using var anonymous = Chat.Anonymous();
        var doc = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, doc.Status);
        var paths = doc.Body.GetProperty("paths");
        foreach (var path in new[] { "/api/conversations", "/api/conversations/{id}", "/api/conversations/{id}/participants",
            "/api/conversations/{id}/participants/me", "/api/conversations/{id}/messages", "/api/conversations/{id}/messages/{messageId}",
            "/api/conversations/{id}/read", "/api/users/{id}/status" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"missing {path}");
        }
        var text = doc.Body.GetRawText();
        Assert.Contains("\"client_id\"", text, StringComparison.Ordinal);
        Assert.Contains("\"unread_count\"", text, StringComparison.Ordinal);
    }

    internal static string Id(JsonElement e) => e.GetProperty("id").GetString()!;
}

public sealed class ConversationApiSqliteTests(SqliteChat f) : ConversationApiTests(f), IClassFixture<SqliteChat>;

public sealed class ConversationApiPostgresTests(PostgresChat f) : ConversationApiTests(f), IClassFixture<PostgresChat>;
