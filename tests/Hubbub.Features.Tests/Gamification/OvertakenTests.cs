using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// <c>overtaken</c>: the users a better score passed hear it live on <c>user:{id}</c> and keep it in the inbox (an unread
/// one of the same board replaced by the newer), once per pass (not for a tie, a retried event, a worse score or a past
/// period), to at most <c>Gamification:OvertakenLimit</c> (10) users per pass, the nearest first. These boards are small:
/// every place lost is within the top 10 that <c>Gamification:OvertakenNotificationTopRank</c> keeps by default (deeper
/// passes: <see cref="OvertakenKeptTests"/>).
/// </summary>
public abstract class OvertakenTests(GameFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    /// <summary>The user's unread <c>overtaken</c> notifications of <paramref name="board"/>, newest first.</summary>
    private static async Task<List<JsonElement>> InboxAsync(ServerApi server, string user, string board) =>
        (await server.GetAsync($"/api/notifications?user={user}&unread=true")).Body.GetProperty("items").EnumerateArray()
            .Where(i => i.Str("type") == "overtaken" && i.GetProperty("data").Str("board") == board)
            .Select(i => i.GetProperty("data")).ToList();

    [Fact]
    public async Task Who_was_passed_hears_it_live_and_keeps_one_unread_per_board_but_not_for_a_tie_or_a_retry()
    {
        using var server = Game.Server(Chat);
        var (type, board) = (Game.Fresh("km"), Game.Fresh("km"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Km", source = $"{type}:n", @operator = "incr" });
        var (a, b, c, d) = (Users.New("a"), Users.New("b"), Users.New("c"), Users.New("d"));
        await server.EventAsync(a, type, new { n = 10 });
        await server.EventAsync(b, type, new { n = 5 });
        await server.EventAsync(c, type, new { n = 5 });
        await server.EventAsync(d, type, new { n = 1 });
        Assert.Empty(await InboxAsync(server, a, board)); // b, c and d arrived below a: nobody passed a
        Assert.Empty(await InboxAsync(server, b, board)); // c tied b: a tie passes nobody

        await using var ws = await Chat.ConnectAsync(b, "Bee");
        await ws.SubscribeAsync($"user:{b}");
        await using var named = await Chat.ConnectAsync(d, "Dee"); // the directory learns d's name
        var id = Guid.NewGuid().ToString("N");
        await server.EventAsync(d, type, new { n = 8 }, id); // d: 1 → 9 passes b and c (5), not a (10)

        var live = (await ws.NextAsync(f => f.Type() == "overtaken")).GetProperty("data");
        Assert.Equal((board, d, "Dee", 3L), (live.Str("board"), live.Str("by"), live.Str("name"), live.Long("rank")));
        foreach (var passed in new[] { b, c })
        {
            var kept = Assert.Single(await InboxAsync(server, passed, board));
            Assert.Equal((d, 3L), (kept.Str("by"), kept.Long("rank")));
        }
        Assert.Empty(await InboxAsync(server, a, board));

        // A retried event is answered from its first run: nobody is told twice (read the first, nothing new comes).
        using var bApi = Chat.Api(b, "Bee");
        var newest = (await server.GetAsync($"/api/notifications?user={b}")).Body.GetProperty("items")[0].Str("id");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await bApi.PostAsync("/api/notifications/read", new { up_to = newest })).Status);
        await server.EventAsync(d, type, new { n = 8 }, id);
        Assert.Empty(await InboxAsync(server, b, board));

        // A newer pass on the same board replaces the unread one: c keeps one, from e.
        var e = Users.New("e");
        await server.EventAsync(e, type, new { n = 50 }); // new on the board, above everyone
        var replaced = Assert.Single(await InboxAsync(server, c, board));
        Assert.Equal((e, 4L), (replaced.Str("by"), replaced.Long("rank"))); // e 50, a 10, d 9, then b and c at 5
        Assert.Equal((e, 2L), (Assert.Single(await InboxAsync(server, a, board)).Str("by"), Assert.Single(await InboxAsync(server, a, board)).Long("rank")));
        Assert.Equal(4L, Assert.Single(await InboxAsync(server, b, board)).Long("rank")); // read before, this one new
    }

    [Fact]
    public async Task A_worse_score_a_past_period_and_an_ascending_board_follow_the_order_of_the_board()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("lap");
        var (fastest, last, daily) = (Game.Fresh("fast"), Game.Fresh("last"), Game.Fresh("day"));
        var dayType = Game.Fresh("daylap"); // the daily board alone: yesterday's events touch no other board
        await server.DefineAsync("/api/leaderboards", new { key = fastest, name = "Fastest", source = $"{type}:s", @operator = "best", order = "asc" });
        await server.DefineAsync("/api/leaderboards", new { key = last, name = "Latest", source = $"{type}:s", @operator = "set" });
        await server.DefineAsync("/api/leaderboards", new { key = daily, name = "Today", source = $"{dayType}:s", period = "daily" });
        var (x, y) = (Users.New("x"), Users.New("y"));
        foreach (var (user, s) in new[] { (x, 30), (y, 40) })
        {
            await server.EventAsync(user, type, new { s });
            await server.EventAsync(user, dayType, new { s });
        }
        Assert.Empty(await InboxAsync(server, x, fastest)); // 40 is slower
        Assert.Single(await InboxAsync(server, x, last)); // 40 is more: y passed x on the desc boards
        Assert.Single(await InboxAsync(server, x, daily));

        // Yesterday's board is closed: a late event moves it but tells nobody.
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1).ToString("O");
        await server.EventAsync(x, dayType, new { s = 100 }, time: yesterday);
        await server.EventAsync(y, dayType, new { s = 200 }, time: yesterday);
        Assert.Single(await InboxAsync(server, x, daily)); // still the one of today

        await server.EventAsync(y, type, new { s = 20 }); // faster than x; on the set board a drop: it passes nobody there
        var passed = Assert.Single(await InboxAsync(server, x, fastest));
        Assert.Equal((y, 2L), (passed.Str("by"), passed.Long("rank")));
        Assert.Empty(await InboxAsync(server, y, last)); // y fell below x: x passed no one, y was not overtaken by a move of x
    }

    [Fact]
    public async Task Who_was_passed_by_a_score_that_ties_others_ranks_behind_all_of_them()
    {
        using var server = Game.Server(Chat);
        var (type, board) = (Game.Fresh("pts"), Game.Fresh("pts"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Points", source = $"{type}:n", @operator = "incr" });
        var (a, b, c, d, e) = (Users.New("a"), Users.New("b"), Users.New("c"), Users.New("d"), Users.New("e"));
        foreach (var (user, n) in new[] { (a, 10), (b, 10), (c, 5), (d, 4), (e, 1) })
        {
            await server.EventAsync(user, type, new { n });
        }
        await server.EventAsync(e, type, new { n = 9 }); // e: 1 → 10 ties a and b, passes c and d
        Assert.Equal(4L, Assert.Single(await InboxAsync(server, c, board)).Long("rank")); // a, b and e (10) ahead
        Assert.Equal(5L, Assert.Single(await InboxAsync(server, d, board)).Long("rank"));
        Assert.Empty(await InboxAsync(server, a, board));
    }

    [Fact]
    public async Task A_pass_of_many_tells_only_the_ten_nearest()
    {
        using var server = Game.Server(Chat);
        var (type, board) = (Game.Fresh("pts"), Game.Fresh("pts"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Points", source = $"{type}:n" });
        var users = Enumerable.Range(1, 12).Select(i => (User: Users.New($"u{i}"), Score: i)).ToList();
        foreach (var (user, score) in users)
        {
            await server.EventAsync(user, type, new { n = score });
        }
        var rocket = Users.New("rocket");
        await server.EventAsync(rocket, type, new { n = 1000 });
        foreach (var (user, score) in users)
        {
            var kept = await InboxAsync(server, user, board);
            if (score >= 3)
            {
                Assert.Equal((rocket, 12L - score + 2), (Assert.Single(kept).Str("by"), kept[0].Long("rank")));
            }
            else
            {
                Assert.DoesNotContain(kept, k => k.Str("by") == rocket); // the 11th and 12th passed are not told
            }
        }
    }
}

public sealed class SqliteOvertakenTests(SqliteGame fixture) : OvertakenTests(fixture), IClassFixture<SqliteGame>;

public sealed class PostgresOvertakenTests(PostgresGame fixture) : OvertakenTests(fixture), IClassFixture<PostgresGame>;

public sealed class SqliteRedisOvertakenTests(SqliteRedisGame fixture) : OvertakenTests(fixture), IClassFixture<SqliteRedisGame>;
