using System.Net;
using System.Text.Json;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// Leaderboards: shared ranks for ties with who reached the score first listed first, around-me at the edges (first,
/// last, alone, absent), <c>best</c>/<c>set</c>/<c>asc</c>, and the <c>leaderboard:{key}</c> channel (top rows as join
/// state, client publishes refused, <c>leaderboard_change</c> for the rows that moved).
/// </summary>
public abstract class LeaderboardTests(GameFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    private static List<(long Rank, string User, double Score)> Rows(JsonElement page) =>
        page.GetProperty("entries").EnumerateArray().Select(e => (e.Long("rank"), e.Str("user"), e.GetProperty("score").GetDouble())).ToList();

    [Fact]
    public async Task Ties_share_a_rank_and_who_reached_the_score_first_is_listed_first_and_around_me_works_at_the_edges()
    {
        using var server = Game.Server(Chat);
        var (type, board) = (Game.Fresh("goal"), Game.Fresh("goals"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Goals", source = $"{type}:n", @operator = "incr", period = "all", order = "desc" });
        var (a, b, c, d, e) = (Users.New("a"), Users.New("b"), Users.New("c"), Users.New("d"), Users.New("e"));
        await server.EventAsync(a, type, new { n = 10 });
        await server.EventAsync(c, type, new { n = 5 }); // c reaches 5 before b
        await Task.Delay(3); // in another millisecond: within one, a tie is listed by user id
        await server.EventAsync(b, type, new { n = 5 });
        await server.EventAsync(d, type, new { n = 1 });
        var last = await server.EventAsync(e, type, new { n = 1 });
        Assert.Equal(4, last.GetProperty("leaderboards")[0].Long("rank"));

        var top = (await server.GetAsync($"/api/leaderboards/{board}?limit=10")).Body;
        Assert.Equal([(1L, a, 10.0), (2L, c, 5.0), (2L, b, 5.0), (4L, d, 1.0), (4L, e, 1.0)], Rows(top));
        Assert.Equal(JsonValueKind.Null, top.GetProperty("resets_at").ValueKind);
        Assert.Equal([(1L, a, 10.0), (2L, c, 5.0)], Rows((await server.GetAsync($"/api/leaderboards/{board}?limit=2")).Body));

        Assert.Equal([(1L, a, 10.0), (2L, c, 5.0)], Rows((await server.GetAsync($"/api/leaderboards/{board}/around/{a}?limit=1")).Body));
        Assert.Equal([(4L, d, 1.0), (4L, e, 1.0)], Rows((await server.GetAsync($"/api/leaderboards/{board}/around/{e}?limit=1")).Body));
        Assert.Equal([(2L, c, 5.0), (2L, b, 5.0), (4L, d, 1.0)], Rows((await server.GetAsync($"/api/leaderboards/{board}/around/{b}?limit=1")).Body));
        Assert.Equal([(2L, b, 5.0), (4L, d, 1.0), (4L, e, 1.0)], Rows((await server.GetAsync($"/api/leaderboards/{board}/around/{d}?limit=1")).Body));
        Assert.Empty(Rows((await server.GetAsync($"/api/leaderboards/{board}/around/{Users.New("nobody")}")).Body));
        using var aApi = Chat.Api(a);
        Assert.Equal((1L, a, 10.0), Rows((await aApi.GetAsync($"/api/leaderboards/{board}/around/me")).Body)[0]);

        // b passes c: b is second alone and moves up.
        var passed = (await server.EventAsync(b, type, new { n = 1 })).GetProperty("leaderboards")[0];
        Assert.Equal((2L, 2L, 6.0), (passed.Long("rank"), passed.Long("previous_rank"), passed.GetProperty("score").GetDouble()));
        Assert.Equal([(1L, a, 10.0), (2L, b, 6.0), (3L, c, 5.0)], Rows((await server.GetAsync($"/api/leaderboards/{board}/around/{b}?limit=1")).Body));
    }

    [Fact]
    public async Task Alone_on_a_board_one_is_first_and_bad_reads_are_refused()
    {
        using var server = Game.Server(Chat);
        var (type, board) = (Game.Fresh("solo"), Game.Fresh("solo"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Solo", source = type, period = "daily" });
        var solo = Users.New("solo");
        await server.EventAsync(solo, type);
        var around = (await server.GetAsync($"/api/leaderboards/{board}/around/{solo}")).Body;
        Assert.Equal([(1L, solo, 1.0)], Rows(around));
        Assert.NotEqual(JsonValueKind.Null, around.GetProperty("resets_at").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await server.GetAsync($"/api/leaderboards/{Game.Fresh("none")}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync($"/api/leaderboards/{board}?limit=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync($"/api/leaderboards/{board}?limit=101")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync($"/api/leaderboards/{board}?limit=x")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync($"/api/leaderboards/{board}?period=2026-W01")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync($"/api/leaderboards/{board}/around/{solo}?limit=51")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync($"/api/leaderboards/{board}/around/bad%20id")).Status);
        var past = (await server.GetAsync($"/api/leaderboards/{board}?period=2020-01-01")).Body;
        Assert.Empty(Rows(past));
        Assert.Equal("2020-01-02T00:00:00Z", past.Str("resets_at"));
    }

    [Fact]
    public async Task Best_keeps_the_better_score_set_replaces_it_and_asc_ranks_the_lowest_first()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("lap");
        var (best, set, fastest) = (Game.Fresh("best"), Game.Fresh("set"), Game.Fresh("fast"));
        await server.DefineAsync("/api/leaderboards", new { key = best, name = "Best", source = $"{type}:s", @operator = "best" });
        await server.DefineAsync("/api/leaderboards", new { key = set, name = "Last", source = $"{type}:s", @operator = "set" });
        await server.DefineAsync("/api/leaderboards", new { key = fastest, name = "Fastest", source = $"{type}:s", @operator = "best", order = "asc" });
        var (x, y) = (Users.New("x"), Users.New("y"));
        foreach (var (user, s) in new[] { (x, 50.5), (y, 40.0), (x, 45.0), (y, 60.0) })
        {
            await server.EventAsync(user, type, new { s });
        }
        Assert.Equal([(1L, y, 60.0), (2L, x, 50.5)], Rows((await server.GetAsync($"/api/leaderboards/{best}")).Body));
        Assert.Equal([(1L, y, 60.0), (2L, x, 45.0)], Rows((await server.GetAsync($"/api/leaderboards/{set}")).Body));
        Assert.Equal([(1L, y, 40.0), (2L, x, 45.0)], Rows((await server.GetAsync($"/api/leaderboards/{fastest}")).Body));
    }

    [Fact]
    public async Task An_xp_board_of_any_operator_hears_only_events_that_gave_xp()
    {
        using var server = Game.Server(Chat);
        var (earning, idle) = (Game.Fresh("earn"), Game.Fresh("idle"));
        await server.DefineAsync("/api/rules", new { type = earning, xp = 10 });
        var boards = new[] { "incr", "set", "best" }.Select(op => (Op: op, Key: Game.Fresh($"xp{op}"))).ToList();
        foreach (var (op, key) in boards)
        {
            await server.DefineAsync("/api/leaderboards", new { key, name = $"XP {op}", source = "xp", @operator = op });
        }
        var ada = Users.New("ada");
        bool OnAny(JsonElement effects) => effects.GetProperty("leaderboards").EnumerateArray().Any(l => boards.Any(b => b.Key == l.Str("key")));

        // No XP yet: no row at 0 on any of them, and no rank to tell.
        Assert.False(OnAny(await server.EventAsync(ada, idle)));
        foreach (var (_, key) in boards)
        {
            Assert.Empty(Rows((await server.GetAsync($"/api/leaderboards/{key}")).Body));
        }
        var first = await server.EventAsync(ada, earning);
        Assert.Equal(3, first.GetProperty("leaderboards").EnumerateArray().Count(l => boards.Any(b => b.Key == l.Str("key"))));
        await server.EventAsync(ada, earning);
        Assert.False(OnAny(await server.EventAsync(ada, idle))); // none gained: every board stays
        Assert.Equal([(1L, ada, 20.0)], Rows((await server.GetAsync($"/api/leaderboards/{boards[0].Key}")).Body));
        Assert.Equal([(1L, ada, 20.0)], Rows((await server.GetAsync($"/api/leaderboards/{boards[1].Key}")).Body)); // set: the total
        Assert.Equal([(1L, ada, 10.0)], Rows((await server.GetAsync($"/api/leaderboards/{boards[2].Key}")).Body)); // best: one event's
    }

    [Fact]
    public async Task Any_signed_in_user_watches_a_board_gets_the_top_rows_on_subscribe_and_the_rows_that_moved_but_cannot_publish()
    {
        using var server = Game.Server(Chat);
        var (type, board) = (Game.Fresh("pt"), Game.Fresh("live"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Live", source = $"{type}:n" });
        var (a, b) = (Users.New("a"), Users.New("b"));
        await server.EventAsync(a, type, new { n = 3 });
        await server.EventAsync(b, type, new { n = 2 });

        await using var watcher = await Chat.ConnectAsync(Users.New("watcher"));
        var channel = $"leaderboard:{board}";
        var joined = await watcher.SubscribeAsync(channel);
        Assert.Equal([(1L, a, 3.0), (2L, b, 2.0)], Rows(joined.GetProperty("state")));
        Assert.Equal("forbidden", (await watcher.RequestAsync("publish", new { channel, data = new { } })).ErrorCode());
        // Typing and cursors are a client's payload relayed to every subscriber: refused where only the server speaks.
        Assert.Equal("forbidden", (await watcher.RequestAsync("typing", new { channel, is_typing = true })).ErrorCode());
        Assert.Equal("forbidden", (await watcher.RequestAsync("cursor", new { channel, x = 1, y = 2 })).ErrorCode());
        var unknown = $"leaderboard:{Game.Fresh("nope")}"; // unknown keys are not_found, as GET /api/leaderboards/{key}
        Assert.Equal("not_found", (await watcher.RequestAsync("subscribe", new { channel = unknown })).ErrorCode());
        Assert.Equal("not_found", (await watcher.RequestAsync("history", new { channel = unknown })).ErrorCode());

        await server.EventAsync(b, type, new { n = 5 }); // b passes a
        var change = await watcher.NextAsync(f => f.Type() == "leaderboard_change"
            && f.GetProperty("data").GetProperty("entries").EnumerateArray().Any(e => e.Str("user") == a && e.Long("rank") == 2));
        var entries = change.GetProperty("data").GetProperty("entries").EnumerateArray().ToList();
        var passed = entries.Single(e => e.Str("user") == a);
        Assert.Equal((2L, 1L, 3.0), (passed.Long("rank"), passed.Long("previous_rank"), passed.GetProperty("score").GetDouble()));
        var passer = entries.Single(e => e.Str("user") == b);
        Assert.Equal((1L, 7.0), (passer.Long("rank"), passer.GetProperty("score").GetDouble()));
        Assert.Equal(b, passer.Str("name")); // never signed in: the directory knows no other name
        Assert.Equal(board, change.GetProperty("data").Str("board"));
    }

    [Fact]
    public async Task A_watcher_receives_a_boards_changes_at_least_250_ms_apart_on_the_real_clock()
    {
        using var server = Game.Server(Chat);
        var (type, board) = (Game.Fresh("run"), Game.Fresh("gaps"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Gaps", source = $"{type}:n" });
        await using var watcher = await Chat.ConnectAsync(Users.New("watcher"));
        var channel = $"leaderboard:{board}";
        await watcher.SubscribeAsync(channel);
        var players = Enumerable.Range(0, 5).Select(i => Users.New($"g{i}")).ToList();

        // Events for about two seconds, each moving a row: changes all along, as the contract's client sees them.
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 200 && started.Elapsed < TimeSpan.FromSeconds(2); i++)
        {
            await server.EventAsync(players[i % players.Count], type, new { n = 1 + (i % 7) });
            await Task.Delay(10);
        }
        var last = (await server.GetAsync($"/api/leaderboards/{board}?limit=10")).Body.GetProperty("entries")[0];
        await watcher.NextAsync(f => f.Type() == "leaderboard_change" && f.Channel() == channel
            && f.GetProperty("data").GetProperty("entries").EnumerateArray().Any(e => e.Str("user") == last.Str("user")
                && e.GetProperty("score").GetDouble() == last.GetProperty("score").GetDouble()));

        var arrivals = watcher.TimedFrames.Where(f => f.Frame.Type() == "leaderboard_change" && f.Frame.Channel() == channel)
            .Select(f => f.Arrived).ToList();
        Assert.True(arrivals.Count >= 3, $"only {arrivals.Count} changes: the test did not exercise coalescing");
        var gaps = arrivals.Zip(arrivals.Skip(1), (x, y) => System.Diagnostics.Stopwatch.GetElapsedTime(x, y).TotalMilliseconds).ToList();
        var shown = $"{arrivals.Count} changes, gaps (ms): {string.Join(", ", gaps.Select(g => g.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}";
        // The server sends them 300 ms apart (the fake-clock tests check its spacing exactly). What a client receives can
        // clump when one frame is held up on a loaded machine (seen: 557 ms, then 55 ms): the next one sent on time
        // arrives right behind it. So, as received, any run of frames spans at least 250 ms per frame beyond one late
        // one: k + 1 frames within (k - 1) × 250 ms would be a server sending more often than once per 250 ms.
        for (var i = 0; i < arrivals.Count; i++)
        {
            for (var j = i + 2; j < arrivals.Count; j++)
            {
                var span = System.Diagnostics.Stopwatch.GetElapsedTime(arrivals[i], arrivals[j]).TotalMilliseconds;
                Assert.True(span >= (j - i - 1) * 250, $"frames {i}..{j} within {span:F0} ms; {shown}");
            }
        }
        Assert.True(gaps.Count(g => g < 250) <= 1, shown);
    }

    [Fact]
    public async Task A_board_reads_in_pages_whose_ties_keep_their_rank_across_a_boundary_and_around_me_names_the_page_after()
    {
        using var server = Game.Server(Chat);
        var (type, board) = (Game.Fresh("pg"), Game.Fresh("pages"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Pages", source = $"{type}:n" });
        var users = Enumerable.Range(0, 7).Select(i => Users.New($"p{i}")).ToList();
        double[] scores = [10, 5, 5, 5, 1, 1, 0.5]; // ranks 1, 2, 2, 2, 5, 5, 7
        foreach (var (user, score) in users.Zip(scores))
        {
            await server.EventAsync(user, type, new { n = score });
        }
        var whole = (await server.GetAsync($"/api/leaderboards/{board}?limit=100")).Body;
        Assert.Equal(users.Zip(scores, (u, s) => (u, s)).Select((r, i) => ((long)new[] { 1, 2, 2, 2, 5, 5, 7 }[i], r.u, r.s)), Rows(whole));
        Assert.Equal(JsonValueKind.Null, whole.GetProperty("next_cursor").ValueKind);

        foreach (var limit in new[] { 1, 2, 3, 6, 7 })
        {
            List<(long, string, double)> walked = [];
            string? cursor = null;
            for (var pages = 0; pages < 10; pages++)
            {
                var page = (await server.GetAsync($"/api/leaderboards/{board}?limit={limit}{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}")).Body;
                Assert.True(Rows(page).Count <= limit);
                Assert.NotEqual(JsonValueKind.Undefined, page.GetProperty("resets_at").ValueKind); // the shape stays {entries, resets_at, …}
                walked.AddRange(Rows(page));
                cursor = page.GetProperty("next_cursor").GetString();
                if (cursor is null)
                {
                    break;
                }
                Assert.Equal(limit, Rows(page).Count); // a page followed by another is full
            }
            Assert.Equal(Rows(whole), walked); // every row once, ranks as on one page: the 2, 2 | 2 and 5 | 5 splits keep theirs
        }

        // Around me: the window, then the rows after it by its next_cursor; the last row's window ends the board.
        var window = (await server.GetAsync($"/api/leaderboards/{board}/around/{users[2]}?limit=1")).Body;
        Assert.Equal(Rows(whole)[1..4], Rows(window));
        var after = (await server.GetAsync($"/api/leaderboards/{board}?limit=10&cursor={window.GetProperty("next_cursor").GetString()}")).Body;
        Assert.Equal(Rows(whole)[4..], Rows(after));
        // ?before=, the name every other list's cursor takes (FEATURES.md), is the same cursor; both, differing, is refused.
        Assert.Equal(Rows(after), Rows((await server.GetAsync($"/api/leaderboards/{board}?limit=10&before={window.GetProperty("next_cursor").GetString()}")).Body));
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync($"/api/leaderboards/{board}?cursor=1&before=2")).Status);
        Assert.Equal(JsonValueKind.Null, (await server.GetAsync($"/api/leaderboards/{board}/around/{users[5]}?limit=1")).Body.GetProperty("next_cursor").ValueKind);
        Assert.Equal(JsonValueKind.Null, (await server.GetAsync($"/api/leaderboards/{board}/around/{Users.New("nobody")}")).Body.GetProperty("next_cursor").ValueKind);

        // A cursor past the end (the board shrank, or a hand-made one) is an empty last page.
        var past = (await server.GetAsync($"/api/leaderboards/{board}?cursor=2147483647")).Body;
        Assert.Empty(Rows(past));
        Assert.Equal(JsonValueKind.Null, past.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public async Task Cursors_a_page_did_not_give_are_refused_with_bad_request()
    {
        using var server = Game.Server(Chat);
        var (type, board) = (Game.Fresh("hc"), Game.Fresh("hostile"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Hostile", source = type });
        await server.EventAsync(Users.New("h"), type);
        string[] hostile = ["-1", "abc", "1e3", "01", " 1", "1 ", "1 2", "+1", "0x10", "1.0", "2147483648", "99999999999999999999", "１", "٣",
            new string('9', 5000), "%00", "1;DROP TABLE gam_scores", "' OR 1=1 --", @"\u0031"];
        foreach (var cursor in hostile)
        {
            var answer = await server.GetAsync($"/api/leaderboards/{board}?cursor={Uri.EscapeDataString(cursor)}");
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"cursor [{cursor[..Math.Min(cursor.Length, 20)]}]: {answer.Status}");
            Assert.Equal("bad_request", answer.Body.Str("code"));
            Assert.Contains("cursor", answer.Body.Str("message"));
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync($"/api/leaderboards/{board}?cursor=x&period=2020-01-01")).Status);
        Assert.Single(Rows((await server.GetAsync($"/api/leaderboards/{board}?cursor=0")).Body));
        Assert.Single(Rows((await server.GetAsync($"/api/leaderboards/{board}?cursor=")).Body)); // empty: the first page, as an empty limit
    }
}

public sealed class SqliteLeaderboardTests(SqliteGame fixture) : LeaderboardTests(fixture), IClassFixture<SqliteGame>;

public sealed class PostgresLeaderboardTests(PostgresGame fixture) : LeaderboardTests(fixture), IClassFixture<PostgresGame>;

/// <summary>The same on PostgreSQL with Redis: ranks come from the Redis index.</summary>
public sealed class PostgresRedisLeaderboardTests(PostgresRedisGame fixture) : LeaderboardTests(fixture), IClassFixture<PostgresRedisGame>;

/// <summary>The same on SQLite with Redis (the leaderboard bench's setup): ranks come from the Redis index beside the single writer.</summary>
public sealed class SqliteRedisLeaderboardTests(SqliteRedisGame fixture) : LeaderboardTests(fixture), IClassFixture<SqliteRedisGame>;
