using System.Globalization;
using System.Text.Json;
using CsCheck;
using Hubbub.Features.Kit.Notifications;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests;

/// <summary>A server whose notice log is merged only when a test says so (the timer off).</summary>
public abstract class NoticeLogKit : KitFixture
{
    public static Dictionary<string, string?> TimerOff => new() { ["Kit:NotificationMergeMs"] = "0" };

    protected override Dictionary<string, string?>? Settings => TimerOff;
}

public sealed class SqliteNoticeLogKit : NoticeLogKit
{
    public override string Engine => "sqlite";
}

public sealed class PostgresNoticeLogKit : NoticeLogKit
{
    public override string Engine => "postgres";
}

public sealed class NotificationLogSqliteTests(SqliteNoticeLogKit fixture) : NotificationLogTests(fixture), IClassFixture<SqliteNoticeLogKit>;

public sealed class NotificationLogPostgresTests(PostgresNoticeLogKit fixture) : NotificationLogTests(fixture), IClassFixture<PostgresNoticeLogKit>;

/// <summary>
/// The notice log (kit migration 5, <see cref="NotificationLog"/>): on SQLite a keyed notification that replaces an
/// unread one is appended to a log and merged into its (user, key) row later, in bulk. Whatever has been merged or not,
/// every read gives the answers of the inbox that replaces in place: one unread per user and key, the newest, with its
/// id; the count, the pages, mark read, withdraw and the bound alike; a merge loses, doubles or reorders nothing, also
/// across a restart between the append and the merge. On PostgreSQL (which replaces in place, its log empty) the same
/// tests hold the same contract.
/// </summary>
public abstract class NotificationLogTests(KitFixture fixture)
{
    private IDatabase Database => fixture.Chat.Server.Services.GetRequiredService<IDatabase>();

    [Fact]
    public async Task A_replacing_notice_waits_in_the_log_and_reads_the_same_before_and_after_each_merge()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await InsertAsync(Database, 100, (ada, "a1", "k"), (ada, "p1", null), (bob, "b1", "k"));
        await InsertAsync(Database, 100, (ada, "a2", "k"), (bob, "b2", "k"));
        var kept = await InsertAsync(Database, 100, (ada, "a3", "k"), (ada, "x1", "x"));
        Assert.Equal(1, kept.Replaced);
        if (Database.Provider == DatabaseProvider.Sqlite)
        {
            Assert.Equal(3, await Database.ReadAsync(tx => NotificationLog.CountAsync(tx, CancellationToken.None))); // a2, b2, a3
        }
        var before = await SnapshotAsync(Database, ada);
        Assert.Equal([("x1", false), ("a3", false), ("p1", false)], before.Items.Select(i => (i.Data, i.Read)));
        Assert.Equal(3, before.Unread);
        Assert.Equal(Id(kept.Views[1]), before.Newest);

        // Merged in two chunks, then again (nothing left): the same answers each time.
        Assert.Equal(Database.Provider == DatabaseProvider.Sqlite ? 2 : 0, await MergeAsync(Database, 2));
        Assert.Equal(before, await SnapshotAsync(Database, ada));
        await MergeAsync(Database, 100);
        await MergeAsync(Database, 100);
        Assert.Equal(before, await SnapshotAsync(Database, ada));
        Assert.Equal([("b2", false)], (await SnapshotAsync(Database, bob)).Items.Select(i => (i.Data, i.Read)));
        Assert.Equal(0, await Database.ReadAsync(tx => NotificationLog.CountAsync(tx, CancellationToken.None)));
    }

    [Fact]
    public async Task Mark_read_withdraw_and_the_bound_see_the_logged_ids_and_leave_one_unread_per_key()
    {
        var ada = Users.New("ada");
        await InsertAsync(Database, 3, (ada, "k1", "k"), (ada, "p1", null));
        var k2 = await InsertAsync(Database, 3, (ada, "k2", "k")); // logged (replaces k1)
        // Marking read up to the logged id reads it (the keyed row's own id, k1's, is below it and gone).
        Assert.Equal(0, await Database.InTransactionAsync(async tx =>
        {
            await NotificationStore.MarkReadAsync(tx, ada, Id(k2.Views[0]), CancellationToken.None);
            return await NotificationStore.UnreadAsync(tx, ada, CancellationToken.None);
        }));
        Assert.Equal([("k2", true), ("p1", true)], (await SnapshotAsync(Database, ada)).Items.Select(i => (i.Data, i.Read)));

        // A new one of the key beside the read one, replaced (logged), then withdrawn by the logged id.
        await InsertAsync(Database, 3, (ada, "k3", "k"));
        var k4 = await InsertAsync(Database, 3, (ada, "k4", "k"));
        Assert.Equal(1, k4.Replaced);
        Assert.Equal(1, await Database.InTransactionAsync(tx => NotificationStore.DeleteUnreadAsync(tx, ada, Id(k4.Views[0]), CancellationToken.None)));
        Assert.Equal([("k2", true), ("p1", true)], (await SnapshotAsync(Database, ada)).Items.Select(i => (i.Data, i.Read)));

        // The bound (3): a logged replacement keeps its new id, so the oldest go, not it.
        await InsertAsync(Database, 3, (ada, "m1", "m"));
        await InsertAsync(Database, 3, (ada, "m2", "m")); // logged
        await InsertAsync(Database, 3, (ada, "p2", null)); // four: p1 goes
        Assert.Equal([("p2", false), ("m2", false), ("k2", true)], (await SnapshotAsync(Database, ada)).Items.Select(i => (i.Data, i.Read)));
        await InsertAsync(Database, 3, (ada, "n1", "n")); // four again: k2 goes, m2 (logged, newer than k2) stays
        Assert.Equal([("n1", false), ("p2", false), ("m2", false)], (await SnapshotAsync(Database, ada)).Items.Select(i => (i.Data, i.Read)));
        Assert.Equal(3, (await SnapshotAsync(Database, ada)).Unread);
    }

    [Fact]
    public async Task A_restart_between_the_append_and_the_merge_loses_and_doubles_nothing()
    {
        await using var database = await ChatDatabase.CreateAsync(fixture.Engine);
        var settings = new Dictionary<string, string?>(database.Settings);
        foreach (var (k, v) in NoticeLogKit.TimerOff)
        {
            settings[k] = v;
        }
        // One data directory for both servers: on SQLite the database is a file in it.
        var directory = Directory.CreateTempSubdirectory("hubbub-notice-log-").FullName;
        settings["Hubbub:DataDirectory"] = directory;
        var ada = Users.New("ada");
        Snapshot before;
        using (var first = new TestServer(settings))
        {
            var db = first.Services.GetRequiredService<IDatabase>();
            await InsertAsync(db, 100, (ada, "a1", "k"), (ada, "b1", "b"));
            await InsertAsync(db, 100, (ada, "a2", "k"));
            await InsertAsync(db, 100, (ada, "b2", "b"), (ada, "a3", "k"));
            before = await SnapshotAsync(db, ada);
            Assert.Equal([("a3", false), ("b2", false)], before.Items.Select(i => (i.Data, i.Read)));
        }
        using (var second = new TestServer(settings))
        {
            var db = second.Services.GetRequiredService<IDatabase>();
            Assert.Equal(before, await SnapshotAsync(db, ada)); // read between the append and the merge, after the restart
            await MergeAsync(db, 1); // one row merged, the rest still logged
            Assert.Equal(before, await SnapshotAsync(db, ada));
            await MergeAsync(db, 100);
            Assert.Equal(before, await SnapshotAsync(db, ada));
            var a4 = await InsertAsync(db, 100, (ada, "a4", "k"));
            Assert.Equal(1, a4.Replaced);
            Assert.Equal([("a4", false), ("b2", false)], (await SnapshotAsync(db, ada)).Items.Select(i => (i.Data, i.Read)));
        }
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task The_timer_merges_the_log_in_the_background_with_the_same_answers()
    {
        // The default server (SqliteKit's settings): the merger runs every 500 ms.
        await using var chat = await ChatServer.StartAsync(fixture.Engine);
        var db = chat.Server.Services.GetRequiredService<IDatabase>();
        var ada = Users.New("ada");
        await InsertAsync(db, 100, (ada, "a1", "k"));
        await InsertAsync(db, 100, (ada, "a2", "k"), (ada, "p", null));
        await InsertAsync(db, 100, (ada, "a3", "k"));
        var before = await SnapshotAsync(db, ada);
        for (var i = 0; i < 100 && await db.ReadAsync(tx => NotificationLog.CountAsync(tx, CancellationToken.None)) > 0; i++)
        {
            await Task.Delay(100);
        }
        Assert.Equal(0, await db.ReadAsync(tx => NotificationLog.CountAsync(tx, CancellationToken.None)));
        Assert.Equal(before, await SnapshotAsync(db, ada));
    }

    private enum Op { Plain, Keyed, Batch, MergeSome, MergeAll, Read, MarkRead, Withdraw }

    private sealed record Step(Op Op, int A, int B)
    {
        public override string ToString() => $"{Op}({A},{B})";
    }

    private static readonly Gen<Step[]> Steps = Gen.Select(Gen.Int[0, 15], Gen.Int[0, 99], Gen.Int[0, 99], (k, a, b) => new Step(k switch
    {
        0 or 1 => Op.Plain, <= 6 => Op.Keyed, 7 or 8 => Op.Batch, 9 => Op.MergeSome, 10 => Op.MergeAll, 11 or 12 => Op.Read, <= 14 => Op.MarkRead,
        _ => Op.Withdraw,
    }, a, b)).Array[5, 40];

    [Fact]
    public async Task Random_interleavings_of_appends_merges_reads_marks_and_withdrawals_answer_as_the_model()
    {
        await Steps.SampleAsync(RunAsync, iter: 25, threads: 1, print: steps => string.Join(" ", steps.Select(s => s.ToString())));
    }

    /// <summary>
    /// The model: the inbox as a list of (id, data, key, read); a keyed one replaces the unread one of its key; marking
    /// read reads all up to an id; withdrawing removes an unread one; the bound keeps the newest <c>Keep</c>.
    /// </summary>
    private async Task RunAsync(Step[] steps)
    {
        const int Keep = 6;
        string[] keys = ["k:a", "k:b", "k:c"];
        var user = Users.New("prop");
        var model = new List<(long Id, string Data, string? Key, bool Read)>();
        var n = 0;
        foreach (var step in steps)
        {
            switch (step.Op)
            {
                case Op.Plain or Op.Keyed or Op.Batch:
                    var items = new List<(string, string, string?)>();
                    for (var i = 0; i < (step.Op == Op.Batch ? 1 + step.B % 4 : 1); i++)
                    {
                        var key = step.Op == Op.Plain || (step.Op == Op.Batch && (step.A + i) % 3 == 0) ? null : keys[(step.A + i * step.B) % keys.Length];
                        items.Add((user, $"n{n++}", key));
                    }
                    var kept = await InsertAsync(Database, Keep, [.. items]);
                    var replaced = 0;
                    for (var i = 0; i < items.Count; i++)
                    {
                        var key = items[i].Item3;
                        if (key is not null && model.FindIndex(m => m.Key == key && !m.Read) is >= 0 and var at)
                        {
                            model.RemoveAt(at);
                            replaced++;
                        }
                        model.Add((Id(kept.Views[i]), items[i].Item2, key, false));
                    }
                    Assert.Equal(replaced, kept.Replaced);
                    model = [.. model.OrderByDescending(m => m.Id).Take(Keep).OrderBy(m => m.Id)];
                    break;
                case Op.MergeSome:
                    await MergeAsync(Database, 1 + step.A % 5);
                    break;
                case Op.MergeAll:
                    await MergeAsync(Database, int.MaxValue);
                    break;
                case Op.MarkRead when model.Count > 0:
                    var upTo = model[step.A % model.Count].Id;
                    await Database.InTransactionAsync(tx => NotificationStore.MarkReadAsync(tx, user, upTo, CancellationToken.None));
                    model = [.. model.Select(m => m.Id <= upTo ? (m.Id, m.Data, (string?)null, true) : m)];
                    break;
                case Op.Withdraw when model.Count > 0:
                    var (id, _, _, read) = model[step.A % model.Count];
                    Assert.Equal(read ? 0 : 1, await Database.InTransactionAsync(tx => NotificationStore.DeleteUnreadAsync(tx, user, id, CancellationToken.None)));
                    model.RemoveAll(m => m.Id == id && !m.Read);
                    break;
            }
            if (step.Op is Op.Read or Op.MergeAll || step == steps[^1])
            {
                var snapshot = await SnapshotAsync(Database, user);
                Assert.Equal(model.OrderByDescending(m => m.Id).Select(m => (m.Id, m.Data, m.Read)), snapshot.Items.Select(i => (i.Id, i.Data, i.Read)));
                Assert.Equal(model.Count(m => !m.Read), snapshot.Unread);
                Assert.Equal(model.Count == 0 ? 0 : model.Max(m => m.Id), snapshot.Newest);
                // A page below a random id is the model's page too.
                if (model.Count > 0)
                {
                    var below = model[step.B % model.Count].Id;
                    var page = await Database.ReadAsync(tx => NotificationStore.PageAsync(tx, user, step.A % 2 == 0, below, 3, CancellationToken.None));
                    Assert.Equal(model.Where(m => m.Id < below && (step.A % 2 != 0 || !m.Read)).OrderByDescending(m => m.Id).Take(3).Select(m => m.Data),
                        page.Select(v => JsonSerializer.Deserialize<string>(v.Data.GetRawText())!));
                }
            }
        }
    }

    private sealed record Snapshot(List<(long Id, string Data, bool Read)> Items, long Unread, long Newest)
    {
        public bool Equals(Snapshot? other) => other is not null && Items.SequenceEqual(other.Items) && Unread == other.Unread && Newest == other.Newest;

        public override int GetHashCode() => HashCode.Combine(Items.Count, Unread, Newest);
    }

    /// <summary>What the inbox answers: every notification newest first, the unread count, the newest id.</summary>
    private static Task<Snapshot> SnapshotAsync(IDatabase database, string user) => database.ReadAsync(async tx => new Snapshot(
        [.. (await NotificationStore.PageAsync(tx, user, false, null, 1000, CancellationToken.None))
            .Select(v => (Id(v), JsonSerializer.Deserialize<string>(v.Data.GetRawText())!, v.Read))],
        await NotificationStore.UnreadAsync(tx, user, CancellationToken.None),
        await NotificationStore.NewestIdAsync(tx, user, CancellationToken.None)));

    private static Task<int> MergeAsync(IDatabase database, int limit) => NotificationLog.MergeOldestAsync(database, limit, CancellationToken.None);

    private static Task<KeptNotifications> InsertAsync(IDatabase database, int keep, params (string User, string Data, string? Key)[] items) =>
        database.InTransactionAsync(tx => NotificationStore.InsertEachAsync(tx,
            [.. items.Select(i => new NewNotification(i.User, "test", JsonSerializer.Serialize(i.Data), i.Key))], 0, keep, CancellationToken.None));

    private static long Id(NotificationView view) => long.Parse(view.Id, CultureInfo.InvariantCulture);
}
