using System.Diagnostics;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// <c>leaderboard_change</c> is coalesced across the nodes of a deployment (one PostgreSQL database, one Redis): events
/// posted through two nodes at once onto one board, a watcher on one node sees the changes an interval apart, each row's
/// previous rank the one the stream itself last showed, whichever node published it, and ends on the board's state.
/// </summary>
public sealed class LeaderboardLiveClusterTests : TwoRedisNodes
{
    /// <summary>Longer than the default, so the gaps asserted stand out from a loaded machine's scheduling noise.</summary>
    private const int IntervalMs = 400;

    /// <summary>
    /// What a gap between two changes may lose on the way to the watcher: the turn is held from the end of one
    /// publication for the interval, but each frame then still passes Redis pub/sub, the node and the socket, and the
    /// earlier one may be the later of the two to be delivered.
    /// </summary>
    private const int DeliveryToleranceMs = 100;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Gamification:LeaderboardChangeIntervalMs", IntervalMs.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    [Fact]
    public async Task Changes_of_a_board_fed_through_two_nodes_come_an_interval_apart_and_name_the_ranks_the_stream_showed()
    {
        using var a = new ServerApi(A.BaseAddress, TestServer.ApiKey);
        using var b = new ServerApi(B.BaseAddress, TestServer.ApiKey);
        var (type, board) = (Game.Fresh("pt"), Game.Fresh("cluster"));
        await a.DefineAsync("/api/leaderboards", new { key = board, name = "Cluster", source = $"{type}:n", @operator = "incr" });
        var users = Enumerable.Range(0, 6).Select(i => Users.New($"c{i}")).ToList();
        await using var watcher = await A.ConnectAsync(Users.New("watcher"));
        var channel = $"leaderboard:{board}";
        var joined = await watcher.SubscribeAsync(channel);
        Assert.Empty(joined.GetProperty("state").GetProperty("entries").EnumerateArray());

        // Two streams at once, one per node, onto one board: 60 events over a few seconds, ranks changing all along.
        await Task.WhenAll(new[] { a, b }.Select(async (node, n) =>
        {
            for (var i = 0; i < 30; i++)
            {
                await node.EventAsync(users[(i * 5 + n) % users.Count], type, new { n = 1 + (i * 7 + n * 3) % 11 });
                await Task.Delay(25);
            }
        }));
        var final = (await a.GetAsync($"/api/leaderboards/{board}?limit=100")).Body.GetProperty("entries").EnumerateArray()
            .ToDictionary(e => e.Str("user"), e => (e.Long("rank"), e.GetProperty("score").GetDouble()));
        Assert.Equal(users.Count, final.Count);

        // The stream's view: each entry's previous rank is what the stream last showed for its user (none: never shown).
        var shown = new Dictionary<string, (long Rank, double Score)>(StringComparer.Ordinal);
        var checkedFrames = 0;
        bool Caught()
        {
            var changes = Changes(watcher, channel);
            foreach (var (frame, _) in changes.Skip(checkedFrames))
            {
                foreach (var entry in frame.GetProperty("data").GetProperty("entries").EnumerateArray())
                {
                    var user = entry.Str("user");
                    var previous = entry.GetProperty("previous_rank").ValueKind == JsonValueKind.Null ? (long?)null : entry.Long("previous_rank");
                    Assert.True(shown.TryGetValue(user, out var was) ? previous == was.Rank : previous is null,
                        $"change {checkedFrames + 1}: {user} previous_rank {previous?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}, the stream last showed {(shown.ContainsKey(user) ? was.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}");
                    shown[user] = (entry.Long("rank"), entry.GetProperty("score").GetDouble());
                }
                checkedFrames++;
            }
            return final.All(f => shown.TryGetValue(f.Key, out var s) && s == f.Value);
        }
        await watcher.WaitUntilAsync(Caught, "the stream's view to reach the board's final state", TimeSpan.FromSeconds(15));

        var arrivals = Changes(watcher, channel).Select(c => c.Arrived).ToList();
        Assert.True(arrivals.Count >= 3, $"only {arrivals.Count} changes: the test did not exercise coalescing");
        var gaps = arrivals.Zip(arrivals.Skip(1), (x, y) => Stopwatch.GetElapsedTime(x, y).TotalMilliseconds).ToList();
        Assert.True(gaps.Min() >= IntervalMs - DeliveryToleranceMs,
            $"{arrivals.Count} changes for 60 events, gaps (ms): {string.Join(", ", gaps.Select(g => g.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}");
        // Nothing more: the last change already showed the final state.
        await Task.Delay(IntervalMs * 2);
        Assert.Equal(arrivals.Count, Changes(watcher, channel).Count);
    }

    private static List<(JsonElement Frame, long Arrived)> Changes(WsClient watcher, string channel) =>
        watcher.TimedFrames.Where(f => f.Frame.Type() == "leaderboard_change" && f.Frame.Channel() == channel).ToList();
}
