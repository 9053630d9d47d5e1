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
}

public sealed class SqliteBatchRankTests(SqliteGame fixture) : BatchRankTests(fixture), IClassFixture<SqliteGame>;

public sealed class PostgresBatchRankTests(PostgresGame fixture) : BatchRankTests(fixture), IClassFixture<PostgresGame>;

public sealed class PostgresRedisBatchRankTests(PostgresRedisGame fixture) : BatchRankTests(fixture), IClassFixture<PostgresRedisGame>;
