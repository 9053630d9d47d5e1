using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// Every passed user hears <c>overtaken</c> live on <c>user:{id}</c> (and finds it in the channel's history), but it is
/// kept in their inbox (with its live <c>notification</c>) only when the place they lost was within the board's top
/// <c>Gamification:OvertakenNotificationTopRank</c> (3 here): the event's <c>rank</c> − 1 ≤ 3, ties sharing the place,
/// on <c>desc</c> and <c>asc</c> boards alike; 0 keeps none.
/// </summary>
public abstract class OvertakenKeptTests(GameFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    /// <summary>The user's unread <c>overtaken</c> notifications of <paramref name="board"/>, newest first.</summary>
    private static async Task<List<JsonElement>> InboxAsync(ServerApi server, string user, string board) =>
        (await server.GetAsync($"/api/notifications?user={user}&unread=true")).Body.GetProperty("items").EnumerateArray()
            .Where(i => i.Str("type") == "overtaken" && i.GetProperty("data").Str("board") == board)
            .Select(i => i.GetProperty("data")).ToList();

    /// <summary>A board of <paramref name="type"/>'s <c>n</c> (or <c>s</c> on an ascending best-time board) with the users' scores posted in order.</summary>
    private static async Task<string> BoardAsync(ServerApi server, string type, bool ascending, params (string User, int Score)[] scores)
    {
        var board = Game.Fresh("top");
        if (ascending)
        {
            await server.DefineAsync("/api/leaderboards", new { key = board, name = "Fastest", source = $"{type}:s", @operator = "best", order = "asc" });
        }
        else
        {
            await server.DefineAsync("/api/leaderboards", new { key = board, name = "Points", source = $"{type}:n", @operator = "incr" });
        }
        foreach (var (user, score) in scores)
        {
            await server.EventAsync(user, type, ascending ? new { s = score } : (object)new { n = score });
        }
        return board;
    }

    /// <summary>The next <c>overtaken</c> frame's (by, rank).</summary>
    private static async Task<(string By, long Rank)> LiveAsync(WsClient ws)
    {
        var data = (await ws.NextAsync(f => f.Type() == "overtaken")).GetProperty("data");
        return (data.Str("by"), data.Long("rank"));
    }

    [Fact]
    public async Task A_pass_of_the_third_place_is_kept_and_of_the_fourth_and_below_only_told_live()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("pts");
        var (a, b, c, d, e, m) = (Users.New("a"), Users.New("b"), Users.New("c"), Users.New("d"), Users.New("e"), Users.New("m"));
        var board = await BoardAsync(server, type, ascending: false, (a, 60), (b, 50), (c, 40), (d, 30), (e, 20), (m, 10));
        await using var cWs = await Chat.ConnectAsync(c);
        await cWs.SubscribeAsync($"user:{c}");
        await using var dWs = await Chat.ConnectAsync(d);
        await dWs.SubscribeAsync($"user:{d}");

        await server.EventAsync(m, type, new { n = 35 }); // m: 10 → 45 passes c (3rd), d (4th) and e (5th)

        // c lost 3rd place: told live, then the inbox's notification (the next offset), and kept.
        var cFrames = await cWs.PublicationsAsync($"user:{c}", 2);
        Assert.Equal(["overtaken", "notification"], cFrames.Select(f => f.Type()));
        Assert.Equal((m, 4L), (cFrames[0].GetProperty("data").Str("by"), cFrames[0].GetProperty("data").Long("rank")));
        Assert.Equal(cFrames[0].Offset() + 1, cFrames[1].Offset());
        Assert.Equal((m, 4L), (Assert.Single(await InboxAsync(server, c, board)).Str("by"), (await InboxAsync(server, c, board))[0].Long("rank")));

        // d lost 4th place: told live, nothing kept (the inbox is written in the same transaction as the live event).
        Assert.Equal((m, 5L), await LiveAsync(dWs));
        Assert.Empty(await InboxAsync(server, d, board));

        // e, offline, lost 5th: nothing kept, and the live event is in the channel's history like every user-channel event.
        Assert.Empty(await InboxAsync(server, e, board));
        await using var eWs = await Chat.ConnectAsync(e);
        List<JsonElement> history = [];
        for (var tries = 0; tries < 100 && !history.Any(p => p.Type() == "overtaken"); tries++) // published after the commit
        {
            await Task.Delay(tries == 0 ? 0 : 50);
            history = [.. (await eWs.OkAsync("history", new { channel = $"user:{e}" })).GetProperty("publications").EnumerateArray()];
        }
        var overtaken = Assert.Single(history, p => p.Type() == "overtaken").GetProperty("data");
        Assert.Equal((board, m, 6L), (overtaken.Str("board"), overtaken.Str("by"), overtaken.Long("rank")));
        Assert.DoesNotContain(history, p => p.Type() == "notification");
        Assert.Empty(await dWs.PendingAfterSyncAsync(f => f.Type() == "notification"));
    }

    [Fact]
    public async Task Users_tied_at_the_third_place_all_keep_it_and_a_pass_of_a_tie_at_the_fourth_keeps_none()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("pts");
        var (a, b, c, d, m, n) = (Users.New("a"), Users.New("b"), Users.New("c"), Users.New("d"), Users.New("m"), Users.New("n"));
        var board = await BoardAsync(server, type, ascending: false, (a, 60), (b, 50), (c, 40), (d, 40), (m, 10));

        await server.EventAsync(m, type, new { n = 35 }); // m: 10 → 45 passes c and d, tied 3rd: both 4th now
        foreach (var user in new[] { c, d })
        {
            var kept = Assert.Single(await InboxAsync(server, user, board));
            Assert.Equal((m, 4L), (kept.Str("by"), kept.Long("rank")));
        }

        // Now c and d are tied 4th: n, new at 42, passes them; told live, and their unread one from m stays as it was.
        await using var cWs = await Chat.ConnectAsync(c);
        await cWs.SubscribeAsync($"user:{c}");
        await server.EventAsync(n, type, new { n = 42 });
        Assert.Equal((n, 5L), await LiveAsync(cWs));
        foreach (var user in new[] { c, d })
        {
            var kept = Assert.Single(await InboxAsync(server, user, board));
            Assert.Equal((m, 4L), (kept.Str("by"), kept.Long("rank")));
        }
    }

    [Fact]
    public async Task On_an_ascending_board_the_place_lost_counts_from_the_fastest()
    {
        using var server = Game.Server(Chat);
        var type = Game.Fresh("lap");
        var (a, b, c, d, m) = (Users.New("a"), Users.New("b"), Users.New("c"), Users.New("d"), Users.New("m"));
        var board = await BoardAsync(server, type, ascending: true, (a, 10), (b, 20), (c, 30), (d, 40), (m, 60));
        await using var dWs = await Chat.ConnectAsync(d);
        await dWs.SubscribeAsync($"user:{d}");

        await server.EventAsync(m, type, new { s = 25 }); // m: 60 → 25 s passes c (3rd) and d (4th)
        Assert.Equal((m, 5L), await LiveAsync(dWs));
        Assert.Empty(await InboxAsync(server, d, board));
        var kept = Assert.Single(await InboxAsync(server, c, board));
        Assert.Equal((m, 4L), (kept.Str("by"), kept.Long("rank")));
        Assert.Empty(await InboxAsync(server, a, board)); // faster than m: not passed
    }

    [Fact]
    public async Task With_zero_even_losing_first_place_is_told_live_only()
    {
        var settings = new Dictionary<string, string?>(FeatureServerFixture.FastKit) { ["Gamification:OvertakenNotificationTopRank"] = "0" };
        await using var chat = await ChatServer.StartAsync(fixture.Engine, settings);
        using var server = Game.Server(chat);
        var type = Game.Fresh("pts");
        var (a, m) = (Users.New("a"), Users.New("m"));
        var board = await BoardAsync(server, type, ascending: false, (a, 10), (m, 5));
        await using var aWs = await chat.ConnectAsync(a);
        await aWs.SubscribeAsync($"user:{a}");

        await server.EventAsync(m, type, new { n = 10 }); // m: 5 → 15 takes 1st place from a
        Assert.Equal((m, 2L), await LiveAsync(aWs));
        Assert.Empty(await InboxAsync(server, a, board));
        Assert.Empty(await aWs.PendingAfterSyncAsync(f => f.Type() == "notification"));
    }
}

/// <summary>A server that keeps an <c>overtaken</c> in the inbox only for a place lost within the top 3.</summary>
public abstract class TopThreeGame : GameFixture
{
    protected override Dictionary<string, string?> Settings => new(base.Settings) { ["Gamification:OvertakenNotificationTopRank"] = "3" };
}

public sealed class SqliteTopThreeGame : TopThreeGame
{
    public override string Engine => "sqlite";
}

public sealed class PostgresTopThreeGame : TopThreeGame
{
    public override string Engine => "postgres";
}

/// <summary>SQLite with Redis (test.sh's): the ranks, and so what is kept, come from the Redis index.</summary>
public sealed class SqliteRedisTopThreeGame : TopThreeGame
{
    public override string Engine => "sqlite";

    protected override Dictionary<string, string?> Settings => new(base.Settings)
    {
        ["ConnectionStrings:Redis"] = TestRedis.Endpoint,
        ["Hubbub:Redis:KeyPrefix"] = TestRedis.UniquePrefix(),
    };
}

public sealed class SqliteOvertakenKeptTests(SqliteTopThreeGame fixture) : OvertakenKeptTests(fixture), IClassFixture<SqliteTopThreeGame>;

public sealed class PostgresOvertakenKeptTests(PostgresTopThreeGame fixture) : OvertakenKeptTests(fixture), IClassFixture<PostgresTopThreeGame>;

public sealed class SqliteRedisOvertakenKeptTests(SqliteRedisTopThreeGame fixture) : OvertakenKeptTests(fixture), IClassFixture<SqliteRedisTopThreeGame>;

/// <summary><c>Gamification:OvertakenNotificationTopRank</c> out of its range stops the start with a line naming it.</summary>
public sealed class OvertakenNotificationTopRankOptionTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(GamificationOptionsMax)]
    public void From_zero_to_a_billion_is_valid(int value) =>
        Assert.Empty(new Hubbub.Features.Gamification.GamificationOptions { OvertakenNotificationTopRank = value }.Validate());

    [Theory]
    [InlineData(-1)]
    [InlineData(GamificationOptionsMax + 1)]
    public void Outside_is_refused_by_name(int value) =>
        Assert.Equal(["Gamification:OvertakenNotificationTopRank must be between 0 and 1000000000."],
            new Hubbub.Features.Gamification.GamificationOptions { OvertakenNotificationTopRank = value }.Validate());

    [Fact]
    public void The_default_keeps_a_place_lost_within_the_top_ten() =>
        Assert.Equal(10, new Hubbub.Features.Gamification.GamificationOptions().OvertakenNotificationTopRank);

    [Fact]
    public async Task A_negative_value_stops_the_server_with_one_line_and_exit_code_1()
    {
        var folder = Directory.CreateTempSubdirectory("hubbub-toprank-");
        try
        {
            await using var run = await ServerProcess.RunAsync(folder.FullName, new Dictionary<string, string?>
            {
                ["Gamification__OvertakenNotificationTopRank"] = "-1",
                ["Hubbub__DataDirectory"] = folder.FullName,
            }, ["--urls", "http://127.0.0.1:0"]);
            Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Error}");
            var line = Assert.Single(run.Error.Trim().Split('\n'));
            Assert.Contains("Hubbub cannot start: Gamification:OvertakenNotificationTopRank must be between 0 and 1000000000.", line, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private const int GamificationOptionsMax = Hubbub.Features.Gamification.GamificationOptions.MaxOvertakenNotificationTopRank;
}
