using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Gamification;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification.Ranking;

/// <summary>
/// Two nodes on one PostgreSQL database and one Redis rank from one sorted set: events posted through both nodes at
/// once, then every top page and around-me page read through either node agrees, with the ranks the scores give; a
/// score changed through one node is ranked at once by the other (the index is updated before the event's answer).
/// </summary>
public sealed class LeaderboardClusterTests : TwoRedisNodes
{
    private static List<(long Rank, string User, double Score)> Rows(JsonElement page) =>
        page.GetProperty("entries").EnumerateArray().Select(e => (e.Long("rank"), e.Str("user"), e.GetProperty("score").GetDouble())).ToList();

    [Fact]
    public async Task Two_nodes_on_Redis_agree_on_every_rank_of_a_board_updated_through_both_at_once()
    {
        using var a = new ServerApi(A.BaseAddress, TestServer.ApiKey);
        using var b = new ServerApi(B.BaseAddress, TestServer.ApiKey);
        var (type, board) = (Game.Fresh("km"), Game.Fresh("km"));
        await a.DefineAsync("/api/leaderboards", new { key = board, name = "km", source = $"{type}:km", @operator = "incr" });
        var users = Enumerable.Range(0, 24).Select(i => Users.New($"n{i:D2}")).ToList();

        // Each user gets three increments, alternating nodes, all users at once: totals 3·(i mod 8), so ties of three.
        await Task.WhenAll(users.Select(async (user, i) =>
        {
            for (var k = 0; k < 3; k++)
            {
                await ((i + k) % 2 == 0 ? a : b).EventAsync(user, type, new { km = i % 8 });
            }
        }));
        var top = (await a.GetAsync($"/api/leaderboards/{board}?limit=100")).Body;
        Assert.Equal(Rows(top), Rows((await b.GetAsync($"/api/leaderboards/{board}?limit=100")).Body));
        var rows = Rows(top);
        Assert.Equal(24, rows.Count);
        foreach (var (rank, user, score) in rows)
        {
            Assert.Equal(1 + rows.Count(r => r.Score > score), rank);
            Assert.Equal(3.0 * (users.IndexOf(user) % 8), score);
        }
        foreach (var user in users.Take(6))
        {
            Assert.Equal(Rows((await a.GetAsync($"/api/leaderboards/{board}/around/{user}?limit=3")).Body),
                Rows((await b.GetAsync($"/api/leaderboards/{board}/around/{user}?limit=3")).Body));
        }

        // A jump through node B is ranked by node A at once.
        var (lastRank, last, _) = rows[^1];
        var effect = (await b.EventAsync(last, type, new { km = 1000 })).GetProperty("leaderboards")[0];
        Assert.Equal((1L, lastRank), (effect.Long("rank"), effect.Long("previous_rank")));
        var around = Rows((await a.GetAsync($"/api/leaderboards/{board}/around/{last}?limit=1")).Body);
        Assert.Equal((1L, last), (around[0].Rank, around[0].User));
        Assert.Equal(HttpStatusCode.OK, (await a.GetAsync($"/api/leaderboards/{board}")).Status);

        // Whom it passed are told their rank from the same sorted set: the three at 21 are now 2nd, the three at 15 8th.
        Assert.Equal(2L, await OvertakenRankAsync(a, users[7], board, last));
        Assert.Equal(8L, await OvertakenRankAsync(b, users[5], board, last));
    }

    /// <summary>The rank in <paramref name="user"/>'s unread <c>overtaken</c> notification from <paramref name="by"/>.</summary>
    private static async Task<long> OvertakenRankAsync(ServerApi server, string user, string board, string by) =>
        Assert.Single((await server.GetAsync($"/api/notifications?user={user}&unread=true")).Body.GetProperty("items").EnumerateArray(),
            i => i.Str("type") == "overtaken" && i.GetProperty("data").Str("board") == board && i.GetProperty("data").Str("by") == by)
            .GetProperty("data").Long("rank");
}
