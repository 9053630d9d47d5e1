using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests;

public abstract class KitFixture : IAsyncLifetime
{
    public abstract string Engine { get; }

    public ChatServer Chat { get; private set; } = null!;

    /// <summary>Settings beyond the defaults (none).</summary>
    protected virtual Dictionary<string, string?>? Settings => null;

    public async Task InitializeAsync() => Chat = await ChatServer.StartAsync(Engine, Settings);

    public async Task DisposeAsync() => await Chat.DisposeAsync();
}

public sealed class SqliteKit : KitFixture
{
    public override string Engine => "sqlite";
}

public sealed class PostgresKit : KitFixture
{
    public override string Engine => "postgres";
}

public sealed class NotificationSqliteTests(SqliteKit fixture) : NotificationTests(fixture), IClassFixture<SqliteKit>;

public sealed class NotificationPostgresTests(PostgresKit fixture) : NotificationTests(fixture), IClassFixture<PostgresKit>;

/// <summary>The inbox: kept for users who were offline, listed with an unread count, marked read; live for those online.</summary>
public abstract class NotificationTests(KitFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    /// <summary>
    /// A user's inbox as stored: the notifications kept and the unread one of each <c>replaces</c> key (kit migration 3),
    /// shown as the newest row of its key in the notice log when one waits there (kit migration 5, SQLite).
    /// </summary>
    internal const string Inbox = """
        (SELECT id, user_id, data, is_read, replaces FROM kit_notifications
         UNION ALL SELECT COALESCE(l.id, k.id), k.user_id, COALESCE(l.data, k.data), 0, k.replaces FROM kit_notifications_keyed k
            LEFT JOIN (SELECT user_id, replaces, id, data, ROW_NUMBER() OVER (PARTITION BY user_id, replaces ORDER BY id DESC) AS newest
                       FROM kit_notifications_log) l ON l.user_id = k.user_id AND l.replaces = k.replaces AND l.newest = 1) inbox
        """;

    [Fact]
    public async Task A_user_who_was_offline_finds_their_notifications_and_marks_them_read()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada, "Ada");
        var room = (await adaApi.PostAsync("/api/rooms", new { title = "Algebra", members = new[] { bob } })).Body.GetProperty("id").GetString();
        var conversation = (await adaApi.CreateAsync([bob], kind: "group", title: "Study")).GetProperty("id").GetString();

        using var bobApi = Chat.Api(bob); // bob never connected
        var inbox = await bobApi.GetAsync("/api/notifications");
        Assert.Equal(HttpStatusCode.OK, inbox.Status);
        Assert.Equal(2, inbox.Body.GetProperty("unread_count").GetInt64());
        var items = inbox.Body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["conversation_added", "room_added"], items.Select(i => i.GetProperty("type").GetString())); // newest first
        Assert.Equal(conversation, items[0].GetProperty("data").GetProperty("conversation").GetString());
        Assert.Equal("Ada", items[0].GetProperty("data").GetProperty("by").GetProperty("name").GetString());
        Assert.Equal(room, items[1].GetProperty("data").GetProperty("room").GetString());
        Assert.All(items, i => Assert.False(i.GetProperty("read").GetBoolean()));
        Assert.Empty((await adaApi.GetAsync("/api/notifications")).Body.GetProperty("items").EnumerateArray()); // ada's are her own

        // Read up to the older one: one stays unread.
        var marked = await bobApi.PostAsync("/api/notifications/read", new { up_to = items[1].GetProperty("id").GetString() });
        Assert.Equal(1, marked.Body.GetProperty("unread_count").GetInt64());
        var unread = await bobApi.GetAsync("/api/notifications?unread=true");
        Assert.Equal("conversation_added", Assert.Single(unread.Body.GetProperty("items").EnumerateArray()).GetProperty("type").GetString());
        // An id past bob's newest is none he was shown: not_found, and nothing changes (ada, with none, alike).
        var newest = long.Parse(items[0].GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var unknown = await bobApi.PostAsync("/api/notifications/read", new { up_to = (newest + 1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.True(unknown.Status == HttpStatusCode.NotFound && unknown.Code == "not_found", unknown.ToString());
        Assert.Equal("not_found", (await adaApi.PostAsync("/api/notifications/read", new { up_to = items[0].GetProperty("id").GetString() })).Code);
        Assert.Equal(1, (await bobApi.GetAsync("/api/notifications")).Body.GetProperty("unread_count").GetInt64());
        // The id as the number it spells is understood as well as the string the list gives.
        Assert.Equal(0, (await bobApi.PostAsync("/api/notifications/read", new { up_to = newest })).Body.GetProperty("unread_count").GetInt64());
        var all = await bobApi.GetAsync("/api/notifications");
        Assert.Equal(0, all.Body.GetProperty("unread_count").GetInt64());
        Assert.All(all.Body.GetProperty("items").EnumerateArray(), i => Assert.True(i.GetProperty("read").GetBoolean()));

        // A server reads them for the user it names.
        using var server = new ServerApi(Chat.Server.BaseAddress, TestServer.ApiKey);
        Assert.Equal(2, (await server.GetAsync($"/api/notifications?user={bob}")).Body.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task An_online_user_gets_the_notification_live_on_their_channel()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await using var bobWs = await Chat.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"user:{bob}");
        using var adaApi = Chat.Api(ada);
        await adaApi.PostAsync("/api/rooms", new { members = new[] { bob } });
        var live = await bobWs.NextAsync(f => f.Type() == "notification");
        Assert.Equal("room_added", live.GetProperty("data").GetProperty("type").GetString());
        using var bobApi = Chat.Api(bob);
        var stored = Assert.Single((await bobApi.GetAsync("/api/notifications")).Body.GetProperty("items").EnumerateArray());
        Assert.Equal(stored.GetProperty("id").GetString(), live.GetProperty("data").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Every_command_answers_under_the_other_number_of_its_feature_name()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        await adaApi.PostAsync("/api/rooms", new { members = new[] { bob } });
        await using var bobWs = await Chat.ConnectAsync(bob);
        // The same handler under either number: the same answers, the same refusals, the same effects.
        var list = await bobWs.OkAsync("notification.list", new { unread = true });
        Assert.Equal(1, list.GetProperty("unread_count").GetInt64());
        var id = Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("id").GetString();
        Assert.Equal("bad_request", (await bobWs.RequestAsync("notification.read", new { })).ErrorCode());
        Assert.Equal(0, (await bobWs.OkAsync("notification.read", new { up_to = id })).GetProperty("unread_count").GetInt64());
        Assert.Equal(0, (await bobWs.OkAsync("notifications.list", new { unread = true })).GetProperty("unread_count").GetInt64());
        Assert.Equal("Europe/Paris", (await bobWs.OkAsync("user.update", new { timezone = "Europe/Paris" })).GetProperty("timezone").GetString());
        Assert.Single((await bobWs.OkAsync("rooms.list", new { })).GetProperty("rooms").EnumerateArray()); // declared as room.list
        Assert.Equal("bad_request", (await bobWs.RequestAsync("notificationss.list", new { })).ErrorCode()); // one s, no more
    }

    [Fact]
    public async Task The_inbox_and_profile_writes_are_commands_too()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        await adaApi.PostAsync("/api/rooms", new { members = new[] { bob } });
        await using var bobWs = await Chat.ConnectAsync(bob);
        var list = await bobWs.OkAsync("notifications.list", new { unread = true });
        Assert.Equal(1, list.GetProperty("unread_count").GetInt64());
        var id = Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("id").GetString();
        Assert.Equal(0, (await bobWs.OkAsync("notifications.read", new { up_to = id })).GetProperty("unread_count").GetInt64());
        Assert.Equal("bad_request", (await bobWs.RequestAsync("notifications.read", new { })).ErrorCode());
        Assert.Equal("bad_request", (await bobWs.RequestAsync("notifications.list", new { limit = 0 })).ErrorCode());
        Assert.Equal("forbidden", (await bobWs.RequestAsync("notifications.list", new { user = ada })).ErrorCode());
        Assert.Equal("Asia/Tokyo", (await bobWs.OkAsync("users.update", new { timezone = "Asia/Tokyo" })).GetProperty("timezone").GetString());
    }

    [Fact]
    public async Task Pages_go_back_in_time_with_next_cursor()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        for (var i = 0; i < 5; i++)
        {
            await adaApi.PostAsync("/api/rooms", new { members = new[] { bob } });
        }
        using var bobApi = Chat.Api(bob);
        var first = await bobApi.GetAsync("/api/notifications?limit=3");
        Assert.Equal(3, first.Body.GetProperty("items").GetArrayLength());
        var cursor = first.Body.GetProperty("next_cursor").GetString();
        var second = await bobApi.GetAsync($"/api/notifications?limit=3&before={cursor}");
        Assert.Equal(2, second.Body.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.Body.GetProperty("next_cursor").ValueKind);
        Assert.Equal(5, second.Body.GetProperty("unread_count").GetInt64());
        // Empty parameters are no parameters (FEATURES.md writes lists as ?before=&limit=): the first page, default size.
        var firstAgain = await bobApi.GetAsync("/api/notifications?before=&limit=");
        Assert.Equal(HttpStatusCode.OK, firstAgain.Status);
        Assert.Equal(5, firstAgain.Body.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Hostile_input_is_refused_with_protocol_codes()
    {
        var me = Users.New("mallory");
        using var api = Chat.Api(me);
        foreach (var (path, code) in new[]
                 {
                     ("/api/notifications?limit=0", "bad_request"), ("/api/notifications?limit=101", "bad_request"),
                     ("/api/notifications?limit=ten", "bad_request"), ("/api/notifications?before=xyz", "bad_request"),
                     ("/api/notifications?unread=maybe", "bad_request"), ("/api/users/bad%20id", "bad_request"),
                     ("/api/users/bad%20id/status", "bad_request"),
                 })
        {
            var answer = await api.GetAsync(path);
            Assert.True(answer.Code == code, $"{path}: {answer}");
        }
        foreach (var (body, code) in new[]
                 {
                     ("{}", "bad_request"), ("""{"up_to":"abc"}""", "bad_request"), ("""{"up_to":5.5}""", "bad_request"),
                     ("""{"up_to":true}""", "bad_request"), ("""{"up_to":-3}""", "bad_request"), ("""{"up_to":["1"]}""", "bad_request"),
                     ("not json", "bad_request"), ("[]", "bad_request"), ("", "bad_request"),
                     ($$"""{"up_to":"1","pad":"{{new string('x', 20_000)}}"}""", "too_large"),
                 })
        {
            var answer = await api.PostRawAsync("/api/notifications/read", body);
            Assert.True(answer.Code == code, $"{body[..Math.Min(body.Length, 30)]}: {answer}");
        }
        // Another user's inbox is not reachable by naming them.
        var other = await api.GetAsync($"/api/notifications?user={Users.New("victim")}");
        Assert.Equal(HttpStatusCode.Forbidden, other.Status);
        using var anonymous = Chat.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/notifications")).Status);
        Assert.Equal("unauthorized", (await anonymous.PostAsync("/api/notifications/read", new { up_to = "1" })).Code);
    }

    [Fact]
    public async Task A_profile_holds_a_valid_time_zone_and_only_its_user_changes_it()
    {
        var (ada, eve) = (Users.New("ada"), Users.New("eve"));
        using var adaApi = Chat.Api(ada, "Ada");
        var set = await adaApi.PatchAsync("/api/users/me", new { timezone = "Europe/Berlin" });
        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal("Europe/Berlin", set.Body.GetProperty("timezone").GetString());
        using var eveApi = Chat.Api(eve);
        var seen = await eveApi.GetAsync($"/api/users/{ada}");
        Assert.Equal("Ada", seen.Body.GetProperty("name").GetString());
        Assert.Equal("Europe/Berlin", seen.Body.GetProperty("timezone").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, (await eveApi.PatchAsync($"/api/users/{ada}", new { timezone = "UTC" })).Status);
        Assert.Equal("bad_request", (await adaApi.PatchAsync("/api/users/me", new { timezone = "Mars/Olympus" })).Code);
        Assert.Equal("bad_request", (await adaApi.PatchAsync("/api/users/me", new { timezone = "../../etc/passwd" })).Code);
        Assert.Equal("too_large", (await adaApi.PatchAsync("/api/users/me", new { name = new string('n', 201) })).Code);
        Assert.Equal("bad_request", (await adaApi.PatchAsync("/api/users/me", new { name = "a\u0000b" })).Code);
        using var server = new ServerApi(Chat.Server.BaseAddress, TestServer.ApiKey);
        var reset = await server.SendAsync(HttpMethod.Patch, $"/api/users/{ada}", """{"timezone":""}""");
        Assert.Equal(JsonValueKind.Null, reset.Body.GetProperty("timezone").ValueKind);
    }

    [Fact]
    public async Task A_name_the_user_sets_stays_while_their_token_carries_the_same_name_and_a_token_with_another_replaces_it()
    {
        // Before, the next request with the very token that was in use undid a user's own rename.
        var (ada, eve) = (Users.New("ada"), Users.New("eve"));
        using var adaApi = Chat.Api(ada, "Tok Name");
        Assert.Equal("Tok Name", (await adaApi.GetAsync("/api/users/me")).Body.GetProperty("name").GetString());
        Assert.Equal("Chosen", (await adaApi.PatchAsync("/api/users/me", new { name = "Chosen" })).Body.GetProperty("name").GetString());
        Assert.Equal("Chosen", (await adaApi.GetAsync("/api/users/me")).Body.GetProperty("name").GetString());
        await using (var ws = await Chat.ConnectAsync(ada, "Tok Name"))
        {
            await ws.RequestAsync("ping"); // a connection with the same token changes nothing either
        }
        using var eveApi = Chat.Api(eve);
        Assert.Equal("Chosen", (await eveApi.GetAsync($"/api/users/{ada}")).Body.GetProperty("name").GetString());
        // Kept in the database beside the token's name, so another node and a restart keep it too.
        var database = Chat.Server.Services.GetRequiredService<Hubbub.Storage.IDatabase>();
        var row = await database.ReadAsync(async tx =>
            await tx.QuerySingleAsync<TokenNameRow>("SELECT name AS Name, token_name AS TokenName FROM kit_users WHERE id = @ada", new { ada }));
        Assert.Equal(("Chosen", "Tok Name"), (row.Name, row.TokenName));

        using var renamed = Chat.Api(ada, "New Name"); // a token with another name: the app renamed her
        Assert.Equal("New Name", (await renamed.GetAsync("/api/users/me")).Body.GetProperty("name").GetString());
        Assert.Equal("New Name", (await eveApi.GetAsync($"/api/users/{ada}")).Body.GetProperty("name").GetString());
    }

    [Fact]
    public async Task What_a_user_does_after_choosing_a_name_shows_that_name_and_not_the_tokens()
    {
        // Found by a cluster audit: a check-in and a bid made with the same token still showed the token's name.
        var ada = Users.New("ada");
        using var adaApi = Chat.Api(ada, "Tok Name");
        Assert.Equal(HttpStatusCode.OK, (await adaApi.PatchAsync("/api/users/me", new { name = "Chosen" })).Status);
        using var server = new ServerApi(Chat.Server.BaseAddress, TestServer.ApiKey);
        var venue = (await server.PostAsync("/api/venues", new { id = "gym-" + Guid.NewGuid().ToString("N")[..8], name = "Gym", capacity = 5, timezone = "UTC" }))
            .Body.GetProperty("id").GetString();
        var checkin = await adaApi.PostAsync($"/api/venues/{venue}/checkins", new { });
        Assert.True(checkin.Status is HttpStatusCode.OK or HttpStatusCode.Created, checkin.ToString());
        var item = (await adaApi.GetAsync($"/api/venues/{venue}/activity")).Body.GetProperty("activities")[0];
        Assert.Equal("Chosen", item.GetProperty("name").GetString());

        await using var ws = await Chat.ConnectAsync(ada, "Tok Name"); // a command over the socket, the same token
        await ws.SubscribeAsync($"venue:{venue}");
        await ws.RequestAsync("venues.checkout", new { venue });
        var left = await ws.NextAsync(f => f.Type() == "member_checked_out");
        Assert.Equal("Chosen", left.GetProperty("data").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Subscribing_to_a_room_answers_with_its_state()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        var room = (await adaApi.PostAsync("/api/rooms", new { title = "Lab", members = new[] { bob } })).Body.GetProperty("id").GetString();
        await using var bobWs = await Chat.ConnectAsync(bob);
        var reply = await bobWs.SubscribeAsync($"room:{room}");
        var state = reply.GetProperty("state");
        Assert.Equal("Lab", state.GetProperty("title").GetString());
        Assert.Equal([ada, bob], state.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        var plain = await bobWs.SubscribeAsync($"user:{bob}");
        Assert.False(plain.TryGetProperty("state", out _)); // namespaces without state answer as before
    }

    [Fact]
    public async Task Notifications_kept_together_bound_each_users_inbox_to_its_newest()
    {
        // The batch insert (PublicationBatch, gamification's overtaken notices) bounds every user it names in one statement.
        var (ada, bob, cy) = (Users.New("ada"), Users.New("bob"), Users.New("cy"));
        var database = Chat.Server.Services.GetRequiredService<Hubbub.Storage.IDatabase>();
        async Task<List<long>> Kept(string user) => await database.ReadAsync(async tx =>
            (await tx.QueryAsync<long>($"SELECT id FROM {Inbox} WHERE user_id = @user ORDER BY id", new { user })).ToList());
        Task<List<Hubbub.Features.Kit.Notifications.NotificationView>> Insert(params string[] users) => database.InTransactionAsync(async tx =>
            (await Hubbub.Features.Kit.Notifications.NotificationStore.InsertEachAsync(tx, [.. users.Select(u => new Hubbub.Features.Kit.Notifications.NewNotification(u, "test", "{}"))], 0, keep: 3, CancellationToken.None)).Views);

        var first = await Insert(ada, ada, bob, ada, ada); // ada: 4 in one call, bob: 1
        await Insert(ada, cy, bob, ada);                    // ada: 6 in all, bob: 2, cy: 1
        var ids = (await Insert(ada)).Select(v => long.Parse(v.Id, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var adaKept = await Kept(ada);
        Assert.Equal(3, adaKept.Count); // the newest three of seven
        Assert.Equal(ids[0], adaKept[^1]);
        Assert.All(first.Where((_, i) => i != 2), v => Assert.DoesNotContain(long.Parse(v.Id, System.Globalization.CultureInfo.InvariantCulture), adaKept));
        Assert.Equal(2, (await Kept(bob)).Count); // under the bound: untouched
        Assert.Single(await Kept(cy));
    }

    [Fact]
    public async Task A_notification_with_a_replaces_key_deletes_its_users_unread_one_of_that_key_and_never_a_read_one()
    {
        // PublicationBatch.Notify(…, replaces): gamification's overtaken, one unread per board in the inbox.
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        var database = Chat.Server.Services.GetRequiredService<Hubbub.Storage.IDatabase>();
        async Task<List<(long Id, string Data)>> Kept(string user) => await database.ReadAsync(async tx =>
            (await tx.QueryAsync<(long, string)>($"SELECT id, data FROM {Inbox} WHERE user_id = @user ORDER BY id", new { user })).ToList());
        Task<List<Hubbub.Features.Kit.Notifications.NotificationView>> Insert(params (string User, string Data, string? Key)[] items) =>
            database.InTransactionAsync(async tx => (await Hubbub.Features.Kit.Notifications.NotificationStore.InsertEachAsync(tx,
                [.. items.Select(i => new Hubbub.Features.Kit.Notifications.NewNotification(i.User, "test", i.Data, i.Key))], 0, keep: 100, CancellationToken.None)).Views);

        await Insert((ada, "1", "board:a"), (ada, "2", "board:b"), (ada, "3", null), (bob, "4", "board:a"));
        await Insert((ada, "5", "board:a"), (bob, "6", "board:b"));
        Assert.Equal(["2", "3", "5"], (await Kept(ada)).Select(k => k.Data)); // 1 replaced by 5; b's and the keyless one stay
        Assert.Equal(["4", "6"], (await Kept(bob)).Select(k => k.Data));     // another key replaces nothing

        // Read, it stays: the next of its key is added beside it; unread again, the next replaces that one.
        using (var api = Chat.Api(ada))
        {
            var newest = (await Kept(ada))[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("/api/notifications/read", new { up_to = newest })).Status);
        }
        await Insert((ada, "7", "board:a"));
        await Insert((ada, "8", "board:a"));
        Assert.Equal(["2", "3", "5", "8"], (await Kept(ada)).Select(k => k.Data));
    }

    [Fact]
    public async Task The_bound_holds_when_one_batch_both_replaces_and_grows_an_inbox()
    {
        // The bound runs only for users whose inbox grew (a replacing notification adds none): a batch that replaces one of
        // a user's unread notifications and adds another still trims them to the newest `keep`, and one that only replaces
        // leaves them at it.
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        var database = Chat.Server.Services.GetRequiredService<Hubbub.Storage.IDatabase>();
        async Task<List<string>> Kept(string user) => await database.ReadAsync(async tx =>
            (await tx.QueryAsync<string>($"SELECT data FROM {Inbox} WHERE user_id = @user ORDER BY id", new { user })).ToList());
        Task<Hubbub.Features.Kit.Notifications.KeptNotifications> Insert(params (string User, string Data, string? Key)[] items) =>
            database.InTransactionAsync(tx => Hubbub.Features.Kit.Notifications.NotificationStore.InsertEachAsync(tx,
                [.. items.Select(i => new Hubbub.Features.Kit.Notifications.NewNotification(i.User, "test", i.Data, i.Key))], 0, keep: 3, CancellationToken.None));

        Assert.Equal(0, (await Insert((ada, "1", "k:a"), (ada, "2", null), (ada, "3", null), (bob, "4", null), (bob, "5", null), (bob, "6", null))).Replaced);
        // ada: "1" replaced by "7" and "8" added (net one more: trimmed); bob: only grows (trimmed).
        Assert.Equal(1, (await Insert((ada, "7", "k:a"), (bob, "9", "k:a"), (ada, "8", null))).Replaced);
        Assert.Equal(["3", "7", "8"], await Kept(ada));
        Assert.Equal(["5", "6", "9"], await Kept(bob));
        // Replacing only: the inbox stays at the bound, the replaced one gone.
        Assert.Equal(2, (await Insert((ada, "10", "k:a"), (bob, "11", "k:a"))).Replaced);
        Assert.Equal(["3", "8", "10"], await Kept(ada));
        Assert.Equal(["5", "6", "11"], await Kept(bob));
        // Two keys of one user, one replacing and one new, in one batch: net one more, trimmed again.
        Assert.Equal(1, (await Insert((ada, "12", "k:b"), (ada, "13", "k:a"))).Replaced);
        Assert.Equal(["8", "12", "13"], await Kept(ada));

        // Whatever the text (SQLite binds a batch as one JSON array): quotes, backslashes, control and non-ASCII characters
        // come back as they went in, each row in its order, a null key as NULL.
        var cy = Users.New("cy é\"");
        const string Odd = "{\"name\":\"Zoë \\\"q\\\" \\\\ \\n 🏃\",\"n\":1.50}";
        var kept = await Insert((cy, Odd, "k:\"é"), (cy, "[1,2]", null));
        Assert.Equal([Odd, "[1,2]"], await Kept(cy));
        Assert.Equal(["{\"name\":\"Zoë \\\"q\\\" \\\\ \\n 🏃\",\"n\":1.50}", "[1,2]"], kept.Views.Select(v => v.Data.GetRawText()));
        Assert.Equal(1, await database.ReadAsync(async tx =>
            await tx.QuerySingleAsync<long>("SELECT COUNT(*) FROM kit_notifications WHERE user_id = @cy AND replaces IS NULL", new { cy })));
        Assert.Equal(1, (await Insert((cy, "3", "k:\"é"))).Replaced);
    }

    private sealed class TokenNameRow
    {
        public string Name { get; set; } = "";

        public string? TokenName { get; set; }
    }
}
