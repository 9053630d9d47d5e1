using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// The ranks of the events of one batch (<c>POST /api/events</c> with <c>events</c>): each event's ranks, and the rank an
/// <c>overtaken</c> carries (live and in the inbox), count the moves of the events before it in the batch, exactly as
/// posting them one by one would; on SQLite they run in one transaction, before the ranked index holds any of them.
/// </summary>
public abstract class BatchRankTests(GameFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    private static async Task<JsonElement> OvertakenAsync(ServerApi server, string user, string board) =>
        (await server.GetAsync($"/api/notifications?user={user}&unread=true")).Body.GetProperty("items").EnumerateArray()
            .First(i => i.Str("type") == "overtaken" && i.GetProperty("data").Str("board") == board).GetProperty("data");

    private static async Task<List<JsonElement>> BatchAsync(ServerApi server, params object[] events)
    {
        var answer = await server.PostAsync("/api/events", new { events });
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        return answer.Body.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("effects").GetProperty("leaderboards")[0]).ToList();
    }

    private static async Task<List<(long Rank, string User, double Score)>> BoardAsync(ServerApi server, string board) =>
        (await server.GetAsync($"/api/leaderboards/{board}")).Body.GetProperty("entries").EnumerateArray()
            .Select(e => (e.Long("rank"), e.Str("user")!, e.GetProperty("score").GetDouble())).ToList();

    private static (long Rank, long? Previous) Ranks(JsonElement effect) =>
        (effect.Long("rank"), effect.GetProperty("previous_rank").ValueKind == JsonValueKind.Null ? null : effect.Long("previous_rank"));

    [Fact]
    public async Task A_user_passed_by_a_later_event_of_the_batch_is_told_the_rank_the_board_shows()
    {
        using var server = Game.Server(Chat);
        var (type, board) = (Game.Fresh("lap"), Game.Fresh("lap"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Laps", source = $"{type}:s", @operator = "set", order = "asc" });
        var (slow, fresh) = (Users.New("slow"), Users.New("fresh"));
        await server.EventAsync(slow, type, new { s = 70 });
        await using var ws = await Chat.ConnectAsync(slow, "Slow");
        await ws.SubscribeAsync($"user:{slow}");

        var effects = await BatchAsync(server,
            new { id = Guid.NewGuid().ToString("N"), user = slow, type, data = new { s = 80 } },
            new { id = Guid.NewGuid().ToString("N"), user = fresh, type, data = new { s = 70 } });

        Assert.Equal([(1L, fresh, 70.0), (2L, slow, 80.0)], await BoardAsync(server, board));
        Assert.Equal(((1L, (long?)1L), (1L, (long?)null)), (Ranks(effects[0]), Ranks(effects[1])));
        var live = (await ws.NextAsync(f => f.Type() == "overtaken")).GetProperty("data");
        Assert.Equal((fresh, 2L), (live.Str("by"), live.Long("rank")));
        var kept = await OvertakenAsync(server, slow, board);
        Assert.Equal((fresh, 2L), (kept.Str("by"), kept.Long("rank")));
    }

    [Fact]
    public async Task Events_of_one_batch_on_one_board_rank_as_if_posted_one_by_one()
    {
        using var server = Game.Server(Chat);
        var (type, board) = (Game.Fresh("pts"), Game.Fresh("pts"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Points", source = $"{type}:n", @operator = "incr" });
        var (a, b, c) = (Users.New("a"), Users.New("b"), Users.New("c"));
        await server.EventAsync(a, type, new { n = 10 });
        await server.EventAsync(b, type, new { n = 5 });

        var effects = await BatchAsync(server,
            new { id = Guid.NewGuid().ToString("N"), user = c, type, data = new { n = 7 } }, // c new at 7: a 10, c 7, b 5
            new { id = Guid.NewGuid().ToString("N"), user = b, type, data = new { n = 3 } }, // b 5 → 8 passes c: a, b, c
            new { id = Guid.NewGuid().ToString("N"), user = c, type, data = new { n = 5 } }); // c 7 → 12 passes a and b

        Assert.Equal([(1L, c, 12.0), (2L, a, 10.0), (3L, b, 8.0)], await BoardAsync(server, board));
        Assert.Equal((2L, (long?)null), Ranks(effects[0]));
        Assert.Equal((2L, (long?)3L), Ranks(effects[1]));
        Assert.Equal((1L, (long?)3L), Ranks(effects[2]));
        Assert.Equal((c, 2L), ((await OvertakenAsync(server, a, board)).Str("by"), (await OvertakenAsync(server, a, board)).Long("rank")));
        Assert.Equal((c, 3L), ((await OvertakenAsync(server, b, board)).Str("by"), (await OvertakenAsync(server, b, board)).Long("rank")));
        Assert.Equal((b, 3L), ((await OvertakenAsync(server, c, board)).Str("by"), (await OvertakenAsync(server, c, board)).Long("rank")));
    }

    /// <summary>
    /// Whom a later event of a batch passed counts the earlier events' moves: a user moved up into its range, one moved
    /// down into it, one moved out of it; and a user new on the board tied with another in the range (on SQLite the
    /// pass is read from the ranked index with the moves merged in; a tie with a moved user is ordered by the database).
    /// </summary>
    [Fact]
    public async Task Whom_a_later_event_of_the_batch_passed_counts_the_moves_before_it()
    {
        using var server = Game.Server(Chat);
        var (type, board) = (Game.Fresh("hi"), Game.Fresh("hi"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "High", source = $"{type}:s", @operator = "set" });
        var (a, b, c, d, e, h, i) = (Users.New("a"), Users.New("b"), Users.New("c"), Users.New("d"), Users.New("e"), Users.New("h"), Users.New("i"));
        foreach (var (user, s) in new[] { (a, 10), (b, 20), (c, 30), (d, 40) })
        {
            await server.EventAsync(user, type, new { s });
        }
        object Event(string user, int s) => new { id = Guid.NewGuid().ToString("N"), user, type, data = new { s } };
        async Task<(string?, long)> OvertakenOf(string user)
        {
            var o = await OvertakenAsync(server, user, board);
            return (o.Str("by"), o.Long("rank"));
        }

        await BatchAsync(server,
            Event(b, 35), // passes c: d 40, b 35, c 30, a 10
            Event(d, 15), // down, out of the top and into the others' range: b 35, c 30, d 15, a 10
            Event(e, 38), // new: passes b, c, d, a
            Event(h, 30)); // new, level with c (not passed): passes d and a

        Assert.Equal([(1L, e, 38.0), (2L, b, 35.0), (3L, c, 30.0), (3L, h, 30.0), (5L, d, 15.0), (6L, a, 10.0)], await BoardAsync(server, board));
        Assert.Equal((e, 2L), await OvertakenOf(b));
        Assert.Equal((e, 3L), await OvertakenOf(c));
        Assert.Equal((h, 5L), await OvertakenOf(d));
        Assert.Equal((h, 6L), await OvertakenOf(a));

        var f = Users.New("f");
        await BatchAsync(server,
            Event(d, 16), // up, passing nobody
            Event(f, 30), // new, level with c and h: passes d and a
            Event(i, 50)); // new: passes all, f (moved) level with c and h
        Assert.Equal([(1L, i, 50.0), (2L, e, 38.0), (3L, b, 35.0), (4L, c, 30.0), (4L, h, 30.0), (4L, f, 30.0), (7L, d, 16.0), (8L, a, 10.0)],
            await BoardAsync(server, board));
        Assert.Equal((i, 2L), await OvertakenOf(e));
        Assert.Equal((i, 3L), await OvertakenOf(b));
        Assert.Equal((i, 4L), await OvertakenOf(c));
        Assert.Equal((i, 4L), await OvertakenOf(h));
        Assert.Equal((i, 4L), await OvertakenOf(f));
        Assert.Equal((i, 7L), await OvertakenOf(d));
        Assert.Equal((i, 8L), await OvertakenOf(a));
    }
}

public sealed class SqliteBatchRankTests(SqliteGame fixture) : BatchRankTests(fixture), IClassFixture<SqliteGame>;

public sealed class PostgresBatchRankTests(PostgresGame fixture) : BatchRankTests(fixture), IClassFixture<PostgresGame>;

public sealed class PostgresRedisBatchRankTests(PostgresRedisGame fixture) : BatchRankTests(fixture), IClassFixture<PostgresRedisGame>;

/// <summary>
/// The same on SQLite with Redis: the writer's next group reads ranks while the last group's applies land in Redis, so
/// each read counts the changes not applied yet in the rank script itself, in one state with the count.
/// </summary>
public sealed class SqliteRedisBatchRankTests(SqliteRedisGame fixture) : BatchRankTests(fixture), IClassFixture<SqliteRedisGame>;
