using System.Globalization;
using System.Net;
using System.Text.Json;
using Hubbub.Features.Kit.Notifications;
using Hubbub.Features.Tests.Infrastructure;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests;

public sealed class KeyedNotificationSqliteTests(SqliteKit fixture) : KeyedNotificationTests(fixture), IClassFixture<SqliteKit>;

public sealed class KeyedNotificationPostgresTests(PostgresKit fixture) : KeyedNotificationTests(fixture), IClassFixture<PostgresKit>;

/// <summary>
/// Notifications with a <c>replaces</c> key kept as one row per user and key, replaced in place
/// (<c>kit_notifications_keyed</c>, kit migration 3): the inbox reads, marks and bounds both tables as one, ordered by
/// id, and a keyed notification once read stays in the history like any other.
/// </summary>
public abstract class KeyedNotificationTests(KitFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    private IDatabase Database => Chat.Server.Services.GetRequiredService<IDatabase>();

    [Fact]
    public async Task A_newer_unread_one_replaces_and_takes_the_newest_place_and_a_read_one_stays_in_the_history()
    {
        var ada = Users.New("ada");
        using var api = Chat.Api(ada);
        var a1 = await InsertAsync((ada, "a1", "k"));
        var p1 = await InsertAsync((ada, "p1", null));
        var a2 = await InsertAsync((ada, "a2", "k"));
        Assert.Equal(1, a2.Replaced);
        Assert.True(Id(a2.Views[0]) > Id(p1.Views[0]));
        Assert.Equal([("a2", false), ("p1", false)], await ListAsync(api));
        Assert.DoesNotContain(Id(a1.Views[0]), await StoredIdsAsync(ada)); // replaced: gone

        // Read up to the plain one, below the keyed one: the keyed one stays unread.
        Assert.Equal(1, await MarkReadAsync(api, p1.Views[0].Id));
        Assert.Equal([("a2", false), ("p1", true)], await ListAsync(api));
        Assert.Equal(0, await MarkReadAsync(api, a2.Views[0].Id));
        Assert.Equal([("a2", true), ("p1", true)], await ListAsync(api));

        // Read, it stays: the next of its key is a new notification beside it, the one after that replaces the new one.
        Assert.Equal(0, (await InsertAsync((ada, "a3", "k"))).Replaced);
        var a4 = await InsertAsync((ada, "a4", "k"));
        Assert.Equal(1, a4.Replaced);
        Assert.Equal([("a4", false), ("a2", true), ("p1", true)], await ListAsync(api));
        Assert.Equal([("a4", false)], await ListAsync(api, unread: true));
        var listed = (await api.GetAsync("/api/notifications")).Body.GetProperty("items")[0];
        Assert.Equal(a4.Views[0].Id, listed.GetProperty("id").GetString()); // the id published live is the one listed
        Assert.Equal(a2.Views[0].Id, (await api.GetAsync("/api/notifications")).Body.GetProperty("items")[1].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Pages_and_marks_read_follow_the_ids_across_both_tables()
    {
        var ada = Users.New("ada");
        using var api = Chat.Api(ada);
        // Ten notifications, keyed and plain interleaved; then two keys replaced, which moves them to the top.
        for (var i = 0; i < 10; i++)
        {
            await InsertAsync((ada, $"n{i}", i % 2 == 0 ? $"k{i}" : null));
        }
        await InsertAsync((ada, "r2", "k2"), (ada, "r6", "k6"));
        string[] expected = ["r6", "r2", "n9", "n8", "n7", "n5", "n4", "n3", "n1", "n0"];

        var seen = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 10; page++)
        {
            var body = (await api.GetAsync($"/api/notifications?limit=3{(cursor is null ? "" : $"&before={cursor}")}")).Body;
            seen.AddRange(body.GetProperty("items").EnumerateArray().Select(Data));
            Assert.Equal(10, body.GetProperty("unread_count").GetInt64());
            if (body.GetProperty("next_cursor").ValueKind == JsonValueKind.Null)
            {
                break;
            }
            cursor = body.GetProperty("next_cursor").GetString();
        }
        Assert.Equal(expected, seen);

        // Up to n5: n0..n5 read in both tables (n0 and n4 keyed), n7..n9 and the replaced two unread.
        var n5 = (await api.GetAsync("/api/notifications")).Body.GetProperty("items")[5].GetProperty("id").GetString()!;
        Assert.Equal(5, await MarkReadAsync(api, n5));
        Assert.Equal(["r6", "r2", "n9", "n8", "n7"], (await ListAsync(api, unread: true)).Select(n => n.Data));
        Assert.Equal(expected.Select((d, i) => (d, i >= 5)), await ListAsync(api));
        // Unread pages come from both tables too.
        var unreadPage = (await api.GetAsync("/api/notifications?unread=true&limit=2")).Body;
        Assert.Equal(["r6", "r2"], unreadPage.GetProperty("items").EnumerateArray().Select(Data));
        var next = unreadPage.GetProperty("next_cursor").GetString();
        Assert.Equal(["n9", "n8"], (await api.GetAsync($"/api/notifications?unread=true&limit=2&before={next}")).Body
            .GetProperty("items").EnumerateArray().Select(Data));
    }

    [Fact]
    public async Task The_bound_counts_both_tables_and_a_batch_keeps_the_last_of_a_key()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        // ada: her oldest is keyed; three plain ones later it is beyond the bound of three and goes.
        await InsertAsync(keep: 3, (ada, "k1", "k:a"), (ada, "p1", null));
        await InsertAsync(keep: 3, (ada, "p2", null));
        Assert.Equal(["k1", "p1", "p2"], await StoredAsync(ada));
        await InsertAsync(keep: 3, (ada, "p3", null));
        Assert.Equal(["p1", "p2", "p3"], await StoredAsync(ada));
        // A newest keyed one that adds to the inbox trims the oldest plain one; replacing it adds nothing.
        await InsertAsync(keep: 3, (ada, "k2", "k:a"));
        Assert.Equal(["p2", "p3", "k2"], await StoredAsync(ada));
        await InsertAsync(keep: 3, (ada, "k3", "k:a"));
        Assert.Equal(["p2", "p3", "k3"], await StoredAsync(ada));

        // Two of one key in one batch: the later is kept (one unread per key), both have ids in the order given.
        var twice = await InsertAsync((bob, "x1", "k:z"), (bob, "y", null), (bob, "x2", "k:z"));
        Assert.Equal(1, twice.Replaced);
        var ids = twice.Views.Select(Id).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(["y", "x2"], await StoredAsync(bob));

        // Withdrawn while unread (FeatureTransaction.WithdrawUnreadNotificationAsync), from whichever table holds it.
        Assert.Equal(1, await Database.InTransactionAsync(tx => NotificationStore.DeleteUnreadAsync(tx, bob, ids[2], CancellationToken.None)));
        Assert.Equal(["y"], await StoredAsync(bob));
    }

    [Fact]
    public async Task Concurrent_batches_and_marks_of_one_user_keep_one_unread_per_key_and_never_deadlock()
    {
        // On PostgreSQL each transaction locks a user's keyed rows in one order (the upsert's and the mark's), so two
        // batches replacing the same keys in opposite orders, and a mark read beside them, all commit.
        var ada = Users.New("ada");
        using var api = Chat.Api(ada);
        var keys = Enumerable.Range(0, 8).Select(i => $"k:{(char)('a' + i)}é").ToList();
        for (var round = 0; round < 15; round++)
        {
            // Up to the newest of the rounds before (this round's come after it): each round's keys stay unread.
            var top = (await api.GetAsync("/api/notifications?limit=1")).Body.GetProperty("items");
            var forward = InsertAsync([.. keys.Select(k => (ada, $"f{round}", (string?)k))]);
            var backward = InsertAsync([.. keys.AsEnumerable().Reverse().Select(k => (ada, $"b{round}", (string?)k))]);
            var plain = InsertAsync((ada, $"p{round}", null));
            var mark = top.GetArrayLength() == 0 ? Task.FromResult(0L) : MarkReadAsync(api, top[0].GetProperty("id").GetString()!);
            await Task.WhenAll(forward, backward, plain, mark);
        }
        var rows = await Database.ReadAsync(async tx => (await tx.QueryAsync<(long, long, string?)>(
            $"SELECT id, is_read, replaces FROM {NotificationTests.Inbox} WHERE user_id = @ada", new { ada })).ToList());
        Assert.Equal(rows.Count, rows.Select(r => r.Item1).Distinct().Count());
        var unreadKeyed = rows.Where(r => r.Item2 == 0 && r.Item3 is not null).Select(r => r.Item3).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), unreadKeyed.Order(StringComparer.Ordinal)); // one unread per key
        var list = (await api.GetAsync("/api/notifications?unread=true&limit=100")).Body;
        Assert.Equal(rows.Count(r => r.Item2 == 0), list.GetProperty("unread_count").GetInt64());
    }

    [Fact]
    public async Task A_keyed_row_stores_its_user_key_type_and_data_exactly_as_given()
    {
        // On SQLite the keyed rows travel to the upsert as one JSON array (json_each): every text must come out exactly as
        // it went in, escapes, surrogate pairs and all.
        var user = Users.New("émoji😀");
        const string Key = "board:\"q\" ü😀\t";
        var data = "{\"by\":\"Zoë 😀 \\\"<b>&'+\\u0001\",\"n\":1}";
        var second = "{\"by\":\"日本語 \\n 🎉\"}";
        await Database.InTransactionAsync(tx => NotificationStore.InsertEachAsync(tx,
            [new NewNotification(user, "type ✓😀", data, Key), new NewNotification(user, "plain", "{}", "other😀")], 0, 100, CancellationToken.None));
        var replaced = await Database.InTransactionAsync(tx => NotificationStore.InsertEachAsync(tx,
            [new NewNotification(user, "type ✓😀", second, Key)], 0, 100, CancellationToken.None));
        Assert.Equal(1, replaced.Replaced);
        // On SQLite the replacing one went through the notice log (json_each, then the merge's copy): merged, it is exact too.
        await NotificationLog.MergeOldestAsync(Database, int.MaxValue, CancellationToken.None);
        var rows = await Database.ReadAsync(async tx => (await tx.QueryAsync<(string, string, string, string)>(
            "SELECT user_id, replaces, type, data FROM kit_notifications_keyed WHERE user_id = @user ORDER BY replaces", new { user })).ToList());
        Assert.Equal([(user, Key, "type ✓😀", second), (user, "other😀", "plain", "{}")], rows);
    }

    private Task<KeptNotifications> InsertAsync(params (string User, string Data, string? Key)[] items) => InsertAsync(100, items);

    private Task<KeptNotifications> InsertAsync(int keep, params (string User, string Data, string? Key)[] items) =>
        Database.InTransactionAsync(tx => NotificationStore.InsertEachAsync(tx,
            [.. items.Select(i => new NewNotification(i.User, "test", JsonSerializer.Serialize(i.Data), i.Key))], 0, keep, CancellationToken.None));

    private static async Task<List<(string Data, bool Read)>> ListAsync(ApiClient api, bool unread = false) =>
        [.. (await api.GetAsync($"/api/notifications?unread={(unread ? "true" : "false")}")).Body.GetProperty("items").EnumerateArray()
            .Select(i => (Data(i), i.GetProperty("read").GetBoolean()))];

    private static async Task<long> MarkReadAsync(ApiClient api, string upTo)
    {
        var answer = await api.PostAsync("/api/notifications/read", new { up_to = upTo });
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Body.GetProperty("unread_count").GetInt64();
    }

    private async Task<List<string>> StoredAsync(string user) => await Database.ReadAsync(async tx =>
        (await tx.QueryAsync<string>($"SELECT data FROM {NotificationTests.Inbox} WHERE user_id = @user ORDER BY id", new { user }))
            .Select(d => JsonSerializer.Deserialize<string>(d)!).ToList());

    private async Task<List<long>> StoredIdsAsync(string user) => await Database.ReadAsync(async tx =>
        (await tx.QueryAsync<long>($"SELECT id FROM {NotificationTests.Inbox} WHERE user_id = @user", new { user })).ToList());

    private static string Data(JsonElement item) => item.GetProperty("data").GetString()!;

    private static long Id(NotificationView view) => long.Parse(view.Id, CultureInfo.InvariantCulture);
}
