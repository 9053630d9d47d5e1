using System.Net;
using System.Text.Json;
using Hubbub.Messaging.Tests.Infrastructure;

namespace Hubbub.Messaging.Tests.Rooms;

/// <summary>
/// Rooms (<c>room:{id}</c>): REST membership, the channel's rules (members subscribe and publish, nobody else), the
/// member events, and every refusal. On the chat fixtures because they give a real server on SQLite and PostgreSQL.
/// </summary>
public abstract class RoomTests(ChatFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    private static string RoomId() => "study-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Members_of_a_room_subscribe_publish_type_and_see_each_other_and_strangers_are_refused()
    {
        var (ada, bob, eve) = (Users.New("ada"), Users.New("bob"), Users.New("eve"));
        using var adaApi = Chat.Api(ada);
        var id = RoomId();
        var created = await adaApi.PostAsync("/api/rooms", new { id, title = "Algebra", members = new[] { bob } });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(id, created.Body.GetProperty("id").GetString());
        Assert.Equal($"room:{id}", created.Body.GetProperty("channel").GetString());
        Assert.Equal(ada, created.Body.GetProperty("owner").GetString());
        Assert.Equal([ada, bob], created.Body.GetProperty("members").EnumerateArray().Select(m => m.GetString()!));

        var channel = $"room:{id}";
        await using var adaWs = await Chat.ConnectAsync(ada, "Ada");
        await using var bobWs = await Chat.ConnectAsync(bob, "Bob");
        await using var eveWs = await Chat.ConnectAsync(eve, "Eve");
        await adaWs.SubscribeAsync(channel);
        await bobWs.SubscribeAsync(channel);

        var published = await bobWs.OkAsync("publish", new { channel, data = new { text = "x = 2" } });
        var message = await adaWs.NextAsync(f => f.Type() == "message" && f.Channel() == channel);
        Assert.Equal(published.GetProperty("offset").GetInt64(), message.Offset());
        Assert.Equal(bob, message.GetProperty("from").GetProperty("user").GetString());

        await bobWs.OkAsync("typing", new { channel, is_typing = true });
        Assert.Equal(bob, (await adaWs.NextAsync(f => f.Type() == "typing")).GetProperty("data").GetProperty("user").GetString());
        await bobWs.OkAsync("cursor", new { channel, x = 3, y = 4 });
        Assert.Equal(3, (await adaWs.NextAsync(f => f.Type() == "cursor")).GetProperty("data").GetProperty("x").GetInt32());
        var members = (await adaWs.OkAsync("presence", new { channel })).GetProperty("members").EnumerateArray()
            .Select(m => m.GetProperty("user").GetString()).ToHashSet();
        Assert.Equal([ada, bob], members.Order());

        foreach (var (type, data) in new (string, object)[]
        {
            ("subscribe", new { channel }),
            ("publish", new { channel, data = 1 }),
            ("history", new { channel }),
            ("presence", new { channel }),
            ("typing", new { channel, is_typing = true }),
            ("cursor", new { channel, x = 1 }),
        })
        {
            Assert.Equal("forbidden", (await eveWs.RequestAsync(type, data)).ErrorCode());
        }
        Assert.Equal("forbidden", (await eveWs.RequestAsync("subscribe", new { channel = "room:no-such-room" })).ErrorCode());
    }

    [Fact]
    public async Task The_owner_adds_and_removes_members_and_the_room_hears_of_it_and_a_removed_member_stops_receiving()
    {
        var (ada, bob, cy) = (Users.New("ada"), Users.New("bob"), Users.New("cy"));
        using var adaApi = Chat.Api(ada);
        using var bobApi = Chat.Api(bob);
        using var cyApi = Chat.Api(cy);
        var id = RoomId();
        var channel = $"room:{id}";
        Assert.Equal(HttpStatusCode.Created, (await adaApi.PostAsync("/api/rooms", new { id })).Status);
        await using var adaWs = await Chat.ConnectAsync(ada);
        await adaWs.SubscribeAsync(channel);
        await using var cyWs = await Chat.ConnectAsync(cy);
        await cyWs.SubscribeAsync($"user:{cy}");

        var added = await adaApi.PostAsync($"/api/rooms/{id}/members", new { members = new[] { bob, cy, bob } });
        Assert.Equal(HttpStatusCode.OK, added.Status);
        Assert.Equal([ada, bob, cy], added.Body.GetProperty("members").EnumerateArray().Select(m => m.GetString()!));
        var events = await adaWs.PublicationsAsync(channel, 2);
        Assert.Equal(["member_added", "member_added"], events.Select(e => e.Type()!));
        Assert.Equal([bob, cy], events.Select(e => e.GetProperty("data").GetProperty("user").GetString()!));
        Assert.Equal(id, events[0].GetProperty("data").GetProperty("room").GetString());
        // The added user hears of it on their own channel, with the room.
        var told = await cyWs.NextAsync(f => f.Type() == "room_added");
        Assert.Equal($"user:{cy}", told.Channel());
        Assert.Equal(id, told.GetProperty("data").GetProperty("id").GetString());

        // Only the owner changes members.
        Assert.Equal(HttpStatusCode.Forbidden, (await bobApi.PostAsync($"/api/rooms/{id}/members", new { members = new[] { Users.New("x") } })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await bobApi.DeleteAsync($"/api/rooms/{id}/members/{cy}")).Status);
        // The owner stays: a conflict with its reason (FEATURES.md: a reason where one code covers several refusals, as room_exists).
        foreach (var owner in new[] { ada, "me" })
        {
            var refused = await adaApi.DeleteAsync($"/api/rooms/{id}/members/{owner}");
            Assert.Equal(HttpStatusCode.Conflict, refused.Status);
            Assert.Equal("owner_stays", refused.Body.GetProperty("reason").GetString());
        }

        // A removed member's live subscription ends, they hear of it, and they are refused from then on.
        await cyWs.SubscribeAsync(channel);
        Assert.Equal(HttpStatusCode.NoContent, (await adaApi.DeleteAsync($"/api/rooms/{id}/members/{cy}")).Status);
        Assert.Equal(channel, (await cyWs.NextAsync(f => f.Type() == "unsubscribed")).Channel());
        Assert.Equal(id, (await cyWs.NextAsync(f => f.Type() == "room_removed")).GetProperty("data").GetProperty("room").GetString());
        Assert.Equal("member_removed", (await adaWs.NextAsync(f => f.Type() == "member_removed")).Type());
        Assert.Equal("forbidden", (await cyWs.RequestAsync("subscribe", new { channel })).ErrorCode());
        Assert.Equal("forbidden", (await cyWs.RequestAsync("publish", new { channel, data = "still here?" })).ErrorCode());
        Assert.Equal("forbidden", (await cyWs.RequestAsync("typing", new { channel, is_typing = true })).ErrorCode());
        Assert.Equal(HttpStatusCode.Forbidden, (await cyApi.GetAsync($"/api/rooms/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await adaApi.DeleteAsync($"/api/rooms/{id}/members/{cy}")).Status);

        // A member leaves on their own.
        Assert.Equal(HttpStatusCode.NoContent, (await bobApi.DeleteAsync($"/api/rooms/{id}/members/me")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await bobApi.DeleteAsync($"/api/rooms/{id}/members/me")).Status);
        var room = await adaApi.GetAsync($"/api/rooms/{id}");
        Assert.Equal([ada], room.Body.GetProperty("members").EnumerateArray().Select(m => m.GetString()!));
    }

    [Fact]
    public async Task My_rooms_are_listed_newest_first_and_an_admin_may_manage_any_room()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        var first = (await adaApi.PostAsync("/api/rooms", new { title = "one" })).Body.GetProperty("id").GetString()!;
        var second = (await adaApi.PostAsync("/api/rooms", new { title = "two", members = new[] { bob } })).Body.GetProperty("id").GetString()!;
        Assert.Matches("^[0-9a-f]{16}$", first);
        var mine = (await adaApi.GetAsync("/api/rooms")).Body.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(2, mine.Count);
        Assert.Contains(first, mine);
        Assert.Contains(second, mine);
        using var bobApi = Chat.Api(bob);
        var bobs = (await bobApi.GetAsync("/api/rooms")).Body.GetProperty("rooms");
        Assert.Equal(new[] { bob, ada }.Order(), bobs[0].GetProperty("members").EnumerateArray().Select(m => m.GetString()!).Order());
        Assert.Equal(1, bobs.GetArrayLength());

        var admin = new ApiClient(Chat.Server.BaseAddress, TestTokens.For(Users.New("root"), roles: ["admin"]));
        using (admin)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/rooms/{first}")).Status);
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/rooms/{first}/members", new { members = new[] { bob } })).Status);
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/rooms/{first}/members/{bob}")).Status);
        }
    }

    [Fact]
    public async Task The_owner_is_listed_first_then_members_in_the_order_they_joined_and_an_admin_may_use_any_room()
    {
        // An owner whose id sorts after everyone else's.
        var (zed, amy, bo) = (Users.New("zed"), Users.New("amy"), Users.New("bo"));
        using var zedApi = Chat.Api(zed);
        var id = RoomId();
        var created = await zedApi.PostAsync("/api/rooms", new { id, members = new[] { amy } });
        Assert.Equal([zed, amy], created.Body.GetProperty("members").EnumerateArray().Select(m => m.GetString()!));
        Chat.Server.Clock?.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(5); // a later join time on the real clock too
        await zedApi.PostAsync($"/api/rooms/{id}/members", new { members = new[] { bo } });
        var room = await zedApi.GetAsync($"/api/rooms/{id}");
        Assert.Equal([zed, amy, bo], room.Body.GetProperty("members").EnumerateArray().Select(m => m.GetString()!));

        // An admin who is no member subscribes and publishes; the members receive it.
        await using var amyWs = await Chat.ConnectAsync(amy);
        await amyWs.SubscribeAsync($"room:{id}");
        await using var admin = await Chat.Server.ConnectAsync(Users.New("root"), "Root", roles: ["admin"]);
        await admin.SubscribeAsync($"room:{id}");
        await admin.OkAsync("publish", new { channel = $"room:{id}", data = new { text = "from the admin" } });
        Assert.Equal("from the admin", (await amyWs.NextAsync(f => f.Type() == "message")).GetProperty("data").GetProperty("text").GetString());
    }

    [Fact]
    public async Task The_room_commands_do_over_the_WebSocket_what_the_REST_API_does()
    {
        var (ada, bob, eve) = (Users.New("ada"), Users.New("bob"), Users.New("eve"));
        await using var adaWs = await Chat.ConnectAsync(ada);
        await using var bobWs = await Chat.ConnectAsync(bob);
        await using var eveWs = await Chat.ConnectAsync(eve);
        var id = RoomId();
        var created = await adaWs.OkAsync("room.create", new { id, title = "Chemistry" });
        Assert.Equal($"room:{id}", created.GetProperty("channel").GetString());
        var added = await adaWs.OkAsync("room.add_members", new { room = id, members = new[] { bob } });
        Assert.Equal([ada, bob], added.GetProperty("members").EnumerateArray().Select(m => m.GetString()!));
        Assert.Equal(id, (await bobWs.OkAsync("room.get", new { room = id })).GetProperty("id").GetString());
        Assert.Equal(id, Assert.Single((await bobWs.OkAsync("room.list")).GetProperty("rooms").EnumerateArray()).GetProperty("id").GetString());
        await bobWs.SubscribeAsync($"room:{id}");

        Assert.Equal("forbidden", (await eveWs.RequestAsync("room.get", new { room = id })).ErrorCode());
        Assert.Equal("forbidden", (await eveWs.RequestAsync("room.add_members", new { room = id, members = new[] { eve } })).ErrorCode());
        Assert.Equal("not_found", (await eveWs.RequestAsync("room.get", new { room = "no-such-room" })).ErrorCode());
        Assert.Equal("conflict", (await eveWs.RequestAsync("room.create", new { id })).ErrorCode());
        foreach (var (type, data) in new (string, object?)[]
        {
            ("room.get", null),
            ("room.get", new { }),
            ("room.get", new { room = 5 }),
            ("room.get", "algebra"),
            ("room.add_members", new { room = id }),
            ("room.add_members", new { room = id, members = "bob" }),
            ("room.remove_member", new { room = id }),
            ("room.create", new { id = "bad id" }),
        })
        {
            var answer = await adaWs.RequestAsync(type, data);
            Assert.True(answer.Type() == "error" && answer.ErrorCode() == "bad_request", $"{type} {JsonSerializer.Serialize(data)}: {answer}");
        }

        Assert.Equal(JsonValueKind.Object, (await bobWs.OkAsync("room.remove_member", new { room = id, user = "me" })).ValueKind);
        Assert.Equal("unsubscribed", (await bobWs.NextAsync(f => f.Type() == "unsubscribed")).Type());
        Assert.Empty((await bobWs.OkAsync("room.list")).GetProperty("rooms").EnumerateArray());
    }

    [Fact]
    public async Task The_room_commands_also_answer_under_the_features_plural_name()
    {
        // FEATURES.md: every REST write is also a command <feature>.<verb>; the feature is "rooms", so "rooms.create"
        // must work as "room.create" does (as auctions answers "auctions.bid" beside "auction.bid").
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await using var adaWs = await Chat.ConnectAsync(ada);
        var id = RoomId();
        var created = await adaWs.OkAsync("rooms.create", new { id, title = "Physics" });
        Assert.Equal($"room:{id}", created.GetProperty("channel").GetString());
        var added = await adaWs.OkAsync("rooms.add_members", new { room = id, members = new[] { bob } });
        Assert.Equal([ada, bob], added.GetProperty("members").EnumerateArray().Select(m => m.GetString()!));
        Assert.Equal(id, (await adaWs.OkAsync("rooms.get", new { room = id })).GetProperty("id").GetString());
        Assert.Contains((await adaWs.OkAsync("rooms.list")).GetProperty("rooms").EnumerateArray(), r => r.GetProperty("id").GetString() == id);
        Assert.Equal(JsonValueKind.Object, (await adaWs.OkAsync("rooms.remove_member", new { room = id, user = bob })).ValueKind);
        Assert.Equal("bad_request", (await adaWs.RequestAsync("rooms.get", new { })).ErrorCode());
    }

    [Fact]
    public async Task My_rooms_come_in_pages_newest_first_with_a_cursor_to_the_older_ones()
    {
        // FEATURES.md, "Always": every list is bounded and paged. GET /api/rooms used to answer every room at once.
        var ada = Users.New("ada");
        using var adaApi = Chat.Api(ada);
        var created = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            var id = RoomId();
            Assert.Equal(HttpStatusCode.Created, (await adaApi.PostAsync("/api/rooms", new { id })).Status);
            created.Add(id);
        }
        var all = (await adaApi.GetAsync("/api/rooms")).Body;
        Assert.Equal(JsonValueKind.Null, all.GetProperty("next_cursor").ValueKind);
        var order = all.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
        Assert.Equal(created.Order(), order.Order());

        var paged = new List<string>();
        string? cursor = null;
        var sizes = new List<int>();
        do
        {
            var page = await adaApi.GetAsync(cursor is null ? "/api/rooms?limit=2" : $"/api/rooms?limit=2&before={Uri.EscapeDataString(cursor)}");
            Assert.Equal(HttpStatusCode.OK, page.Status);
            var rooms = page.Body.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
            sizes.Add(rooms.Count);
            paged.AddRange(rooms);
            cursor = page.Body.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal([2, 2, 1], sizes);
        Assert.Equal(order, paged);

        await using var adaWs = await Chat.ConnectAsync(ada);
        var first = await adaWs.OkAsync("room.list", new { limit = 3 });
        Assert.Equal(order.Take(3), first.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
        var rest = await adaWs.OkAsync("rooms.list", new { before = first.GetProperty("next_cursor").GetString(), limit = 3 });
        Assert.Equal(order.Skip(3), rest.GetProperty("rooms").EnumerateArray().Select(r => r.GetProperty("id").GetString()!));

        foreach (var query in new[] { "limit=0", "limit=101", "limit=x", "before=abc", "before=12_", "before=_x" })
        {
            var refused = await adaApi.GetAsync($"/api/rooms?{query}");
            Assert.True(refused.Status == HttpStatusCode.BadRequest, $"{query}: {refused.Status} {refused.Body}");
            Assert.Equal("bad_request", refused.Body.GetProperty("code").GetString());
        }
        Assert.Equal("bad_request", (await adaWs.RequestAsync("room.list", new { limit = 0 })).ErrorCode());
        Assert.Equal(order, (await adaApi.GetAsync("/api/rooms?before=&limit=10")).Body.GetProperty("rooms").EnumerateArray()
            .Select(r => r.GetProperty("id").GetString()!));
    }

    [Fact]
    public async Task Bad_hostile_oversized_and_unauthorized_requests_are_refused_and_change_nothing()
    {
        var ada = Users.New("ada");
        using var adaApi = Chat.Api(ada);
        var id = RoomId();
        Assert.Equal(HttpStatusCode.Created, (await adaApi.PostAsync("/api/rooms", new { id })).Status);

        Assert.Equal(HttpStatusCode.Conflict, (await adaApi.PostAsync("/api/rooms", new { id })).Status);
        Assert.Equal(HttpStatusCode.Created, (await adaApi.PostRawAsync("/api/rooms", "{}")).Status); // every field optional
        foreach (var bad in new object[]
        {
            new { title = "a\u0000b" },
            new { title = "line\nbreak" },
            new { members = new[] { "me" } },
            new { id = "" },
            new { id = "has space" },
            new { id = "<script>" },
            new { id = new string('x', 65) },
            new { members = new[] { "bad user" } },
            new { members = new[] { "" } },
        })
        {
            var answer = await adaApi.PostAsync("/api/rooms", bad);
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{JsonSerializer.Serialize(bad)}: {answer}");
            Assert.Equal("bad_request", answer.Code);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await adaApi.PostRawAsync("/api/rooms", "{not json")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await adaApi.PostRawAsync("/api/rooms", """{"members":"ada"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await adaApi.PostAsync($"/api/rooms/{id}/members", new { members = Array.Empty<string>() })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await adaApi.PostRawAsync($"/api/rooms/{id}/members", "{}")).Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await adaApi.PostAsync("/api/rooms", new { title = new string('t', 201) })).Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge,
            (await adaApi.PostRawAsync("/api/rooms", JsonSerializer.Serialize(new { title = new string('t', 70_000) }))).Status);
        var tooMany = Enumerable.Range(0, 500).Select(i => $"u{i}").ToArray();
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await adaApi.PostAsync($"/api/rooms/{id}/members", new { members = tooMany })).Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await adaApi.PostAsync("/api/rooms", new { members = tooMany })).Status);
        var huge = Enumerable.Range(0, 5000).Select(i => $"h{i}").ToArray(); // refused before any is looked at
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await adaApi.PostAsync($"/api/rooms/{id}/members", new { members = huge })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await adaApi.GetAsync("/api/rooms/no-such-room")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await adaApi.PostAsync("/api/rooms/no-such-room/members", new { members = new[] { "x" } })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await adaApi.DeleteAsync("/api/rooms/no-such-room/members/me")).Status);

        using var anonymous = Chat.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/rooms")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/rooms", new { id = RoomId() })).Status);

        // Nothing of that changed the room.
        var room = await adaApi.GetAsync($"/api/rooms/{id}");
        Assert.Equal([ada], room.Body.GetProperty("members").EnumerateArray().Select(m => m.GetString()!));
        Assert.Equal(JsonValueKind.Null, room.Body.GetProperty("title").ValueKind);
    }
}

public sealed class RoomSqliteTests(SqliteChat f) : RoomTests(f), IClassFixture<SqliteChat>;

public sealed class RoomPostgresTests(PostgresChat f) : RoomTests(f), IClassFixture<PostgresChat>;
