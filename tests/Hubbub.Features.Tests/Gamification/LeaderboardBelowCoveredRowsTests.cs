using System.Globalization;
using Hubbub.Features.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// On SQLite (ranks exact), a score change wholly below a board's covered rows (<c>LeaderboardLiveRows</c>, 2 here) asks
/// for no <c>leaderboard_change</c> flush: none of the covered rows moved. On a fake clock, so the 250 ms interval is
/// the test's to end.
/// </summary>
public abstract class LeaderboardBelowCoveredRowsTests(bool redis) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-03-27T12:00:00Z", CultureInfo.InvariantCulture);
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly string _prefix = TestRedis.UniquePrefix();
    private ChatServer _chat = null!;
    private ServerApi _server = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?> { ["Kit:PollMs"] = "50", ["Gamification:LeaderboardLiveRows"] = "2" };
        if (redis)
        {
            settings["ConnectionStrings:Redis"] = TestRedis.Endpoint;
            settings["Hubbub:Redis:KeyPrefix"] = _prefix;
        }
        _chat = await ChatServer.StartAsync("sqlite", settings, _clock);
        _server = Game.Server(_chat);
    }

    public async Task DisposeAsync()
    {
        _server.Dispose();
        await _chat.DisposeAsync();
    }

    /// <summary>Ends the interval on the fake clock; on Redis after the turn a published change holds there (in real time) ended.</summary>
    private async Task IntervalAsync()
    {
        if (redis)
        {
            await Task.Delay(400);
        }
        _clock.Advance(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task A_move_below_the_covered_rows_publishes_nothing_and_a_climb_into_them_comes_from_its_last_rank()
    {
        var (type, board) = (Game.Fresh("pts"), Game.Fresh("below"));
        await _server.DefineAsync("/api/leaderboards", new { key = board, name = "Below", source = $"{type}:n", @operator = "set" });
        await using var watcher = await _chat.ConnectAsync(Users.New("watcher"));
        await watcher.SubscribeAsync($"leaderboard:{board}");
        bool IsChange(System.Text.Json.JsonElement f) => f.Type() == "leaderboard_change" && f.Channel() == $"leaderboard:{board}";
        var (a, b, c, d) = (Users.New("a"), Users.New("b"), Users.New("c"), Users.New("d"));
        await _server.EventAsync(a, type, new { n = 40 });
        await watcher.NextAsync(IsChange); // a quiet board: at once
        await _server.EventAsync(b, type, new { n = 30 });
        await _server.EventAsync(c, type, new { n = 20 }); // rank 3: below the two covered rows
        await _server.EventAsync(d, type, new { n = 10 }); // rank 4
        await IntervalAsync();
        var second = await watcher.NextAsync(IsChange);
        Assert.Equal([b], second.GetProperty("data").GetProperty("entries").EnumerateArray().Select(e => e.Str("user")));

        // Below the covered rows, from rank 4 to 3, an interval later (the board is quiet): nothing to publish, no flush.
        await IntervalAsync();
        await _server.EventAsync(d, type, new { n = 25 });
        await Task.Delay(300); // real time passes; nothing is due
        Assert.Empty(await watcher.PendingAfterSyncAsync(IsChange));

        // A covered row moves (a flush at once); then, within the interval, d drops 3 → 4 (below: asks nothing) and climbs
        // 4 → 1: d is listed with the rank of that climb (4), a with the rank it showed.
        await IntervalAsync();
        await _server.EventAsync(a, type, new { n = 50 });
        var third = await watcher.NextAsync(IsChange);
        Assert.Equal([a], third.GetProperty("data").GetProperty("entries").EnumerateArray().Select(e => e.Str("user")));
        await _server.EventAsync(d, type, new { n = 15 }); // 3 → 4
        await _server.EventAsync(d, type, new { n = 60 }); // 4 → 1
        await IntervalAsync();
        var fourth = await watcher.NextAsync(IsChange);
        var rows = fourth.GetProperty("data").GetProperty("entries").EnumerateArray()
            .ToDictionary(e => e.Str("user")!, e => (e.Long("rank"), e.GetProperty("previous_rank").ValueKind == System.Text.Json.JsonValueKind.Null ? (long?)null : e.Long("previous_rank")));
        Assert.Equal((1L, (long?)4), rows[d]);
        Assert.Equal((2L, (long?)1), rows[a]);
        Assert.Equal((3L, (long?)2), rows[b]); // passed out of the covered rows: listed with its rank now, so a view drops it
        Assert.Equal(3, rows.Count);
    }

    [Fact]
    public async Task A_shown_row_whose_score_falls_below_the_covered_rows_is_listed_with_its_rank_now()
    {
        var (type, board) = (Game.Fresh("pts"), Game.Fresh("fall"));
        await _server.DefineAsync("/api/leaderboards", new { key = board, name = "Fall", source = $"{type}:n", @operator = "set" });
        await using var watcher = await _chat.ConnectAsync(Users.New("watcher"));
        await watcher.SubscribeAsync($"leaderboard:{board}");
        bool IsChange(System.Text.Json.JsonElement f) => f.Type() == "leaderboard_change" && f.Channel() == $"leaderboard:{board}";
        var (a, b, c) = (Users.New("a"), Users.New("b"), Users.New("c"));
        await _server.EventAsync(a, type, new { n = 40 });
        await watcher.NextAsync(IsChange);
        await _server.EventAsync(b, type, new { n = 30 });
        await _server.EventAsync(c, type, new { n = 20 }); // rank 3: below the two covered rows
        await IntervalAsync();
        await watcher.NextAsync(IsChange); // b
        await IntervalAsync();

        await _server.EventAsync(a, type, new { n = 10 }); // 1 → 3: out of the covered rows
        await IntervalAsync();
        var change = await watcher.NextAsync(IsChange);
        var rows = change.GetProperty("data").GetProperty("entries").EnumerateArray()
            .Select(e => (e.Str("user"), e.Long("rank"), e.GetProperty("previous_rank").ValueKind == System.Text.Json.JsonValueKind.Null ? (long?)null : e.Long("previous_rank"), e.GetProperty("score").GetDouble()))
            .ToList();
        Assert.Equal([(b, 1L, (long?)2, 30.0), (c, 2L, null, 20.0), (a, 3L, (long?)1, 10.0)], rows);
    }

    [Fact]
    public async Task On_Redis_a_move_below_the_covered_rows_leaves_what_the_channel_showed_untouched()
    {
        if (!redis)
        {
            return;
        }
        var (type, board) = (Game.Fresh("pts"), Game.Fresh("belowr"));
        await _server.DefineAsync("/api/leaderboards", new { key = board, name = "Below", source = $"{type}:n", @operator = "set" });
        await using var watcher = await _chat.ConnectAsync(Users.New("watcher"));
        await watcher.SubscribeAsync($"leaderboard:{board}");
        bool IsChange(System.Text.Json.JsonElement f) => f.Type() == "leaderboard_change" && f.Channel() == $"leaderboard:{board}";
        var (a, b, c) = (Users.New("a"), Users.New("b"), Users.New("c"));
        await _server.EventAsync(a, type, new { n = 40 });
        await watcher.NextAsync(IsChange);
        await _server.EventAsync(b, type, new { n = 30 });
        await Task.Delay(400); // the turn a published change holds in Redis (300 ms) is in real time: let it end first
        _clock.Advance(TimeSpan.FromMilliseconds(300));
        await watcher.NextAsync(IsChange);
        await Task.Delay(400);
        await _server.EventAsync(c, type, new { n = 20 }); // rank 3, new on the board: below
        _clock.Advance(TimeSpan.FromMilliseconds(300));
        await Task.Delay(400);
        _clock.Advance(TimeSpan.FromMilliseconds(300)); // quiet: a flush, were one asked for, would run at once

        // Every flush rewrites the rows shown (and their 7-day expiry); none runs for c's moves below them.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(TestRedis.Endpoint);
        var shown = (RedisKey)$"{_prefix}lblive:{{{board}}}:shown";
        await Task.Delay(1000); // well past the last rewrite, so that a rewrite now would show as a longer ttl
        var before = (await connection.GetDatabase().KeyTimeToLiveAsync(shown))!.Value;
        await _server.EventAsync(c, type, new { n = 25 });
        await Task.Delay(300); // a flush would have run by now
        Assert.Empty(await watcher.PendingAfterSyncAsync(IsChange));
        var after = (await connection.GetDatabase().KeyTimeToLiveAsync(shown))!.Value;
        Assert.True(after < before, $"the rows shown were rewritten: ttl {before} then {after}");

        // A move into the covered rows flushes and rewrites them.
        _clock.Advance(TimeSpan.FromMilliseconds(300));
        await _server.EventAsync(c, type, new { n = 35 });
        var change = await watcher.NextAsync(IsChange);
        Assert.Contains(change.GetProperty("data").GetProperty("entries").EnumerateArray(), e => e.Str("user") == c && e.Long("rank") == 2);
        Assert.True((await connection.GetDatabase().KeyTimeToLiveAsync(shown))!.Value > before);
    }
}

public sealed class SqliteLeaderboardBelowCoveredRowsTests() : LeaderboardBelowCoveredRowsTests(redis: false);

/// <summary>SQLite with Redis (the live state shared in Redis), as the bench's Redis runs.</summary>
public sealed class SqliteRedisLeaderboardBelowCoveredRowsTests() : LeaderboardBelowCoveredRowsTests(redis: true);
