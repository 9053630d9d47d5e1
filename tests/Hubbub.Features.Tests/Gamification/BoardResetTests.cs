using System.Globalization;
using System.Text.Json;
using Hubbub.Features.Gamification;
using Hubbub.Features.Tests.Infrastructure;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// A periodic board's reset on the platform's scheduler, on a fake clock: at the period's end the board's channel is
/// told <c>leaderboard_reset</c> (the new period, its <c>resets_at</c>, the ended period and its final top rows) once,
/// the board reads empty while the ended period stays readable, and the next reset follows; a board of period
/// <c>all</c> (or one replaced by one) has none. The clock starts on a Monday a minute before midnight UTC: the daily
/// boards reset in a minute, the weekly ones in a week.
/// </summary>
public abstract class BoardResetTests(string engine) : FakeClockGame(engine, "2026-05-04T23:59:00Z")
{
    private static List<JsonElement> Resets(WsClient client, string board) =>
        client.Frames.Where(f => f.Type() == "leaderboard_reset" && f.Channel() == $"leaderboard:{board}").ToList();

    [Fact]
    public async Task At_the_period_end_the_board_channel_is_told_the_new_period_once_with_the_final_rows_and_the_next_reset_follows()
    {
        var (type, daily, weekly) = (Game.Fresh("run"), Game.Fresh("day"), Game.Fresh("week"));
        await Api.DefineAsync("/api/leaderboards", new { key = daily, name = "Today", source = $"{type}:km", period = "daily" });
        await Api.DefineAsync("/api/leaderboards", new { key = weekly, name = "This week", source = $"{type}:km", period = "weekly" });
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await Api.EventAsync(ada, type, new { km = 5 });
        await Api.EventAsync(bob, type, new { km = 8 });
        await using var watcher = await Chat.ConnectAsync(Users.New("cy"));
        await watcher.SubscribeAsync($"leaderboard:{daily}");
        await watcher.SubscribeAsync($"leaderboard:{weekly}");

        Clock.Advance(TimeSpan.FromSeconds(30));
        await Task.Delay(300);
        Assert.Empty(Resets(watcher, daily)); // not due yet

        Clock.Advance(TimeSpan.FromSeconds(31)); // 00:00:01 on Tuesday
        var reset = (await watcher.NextAsync(f => f.Type() == "leaderboard_reset")).GetProperty("data");
        Assert.Equal((daily, "2026-05-05", "2026-05-06T00:00:00Z", "2026-05-04"),
            (reset.Str("board"), reset.Str("period"), reset.GetProperty("resets_at").GetDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
             reset.Str("previous_period")));
        Assert.Equal([(1L, bob, 8.0), (2L, ada, 5.0)], reset.GetProperty("final").EnumerateArray()
            .Select(e => (e.Long("rank"), e.Str("user"), e.GetProperty("score").GetDouble())));

        var now = (await Api.GetAsync($"/api/leaderboards/{daily}")).Body;
        Assert.Empty(now.GetProperty("entries").EnumerateArray());
        Assert.Equal(2, (await Api.GetAsync($"/api/leaderboards/{daily}?period=2026-05-04")).Body.GetProperty("entries").GetArrayLength());
        Assert.Equal(2, (await Api.GetAsync($"/api/leaderboards/{weekly}")).Body.GetProperty("entries").GetArrayLength());

        // Long jumps of the fake clock are made with no socket open (a socket held across a day's jump is closed as a
        // slow consumer, its queued frames a day old by the server's clock); the scheduled job says what ran meanwhile.
        Assert.Empty(Resets(watcher, weekly)); // its period ends on Monday
        await watcher.DisposeAsync();
        Clock.Advance(TimeSpan.FromDays(1) - TimeSpan.FromSeconds(61)); // 23:59:00 on Tuesday
        await Task.Delay(300);
        var wednesday = DateTimeOffset.Parse("2026-05-06T00:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        Assert.Equal([wednesday], await ResetJobsAsync(daily)); // ran once, and scheduled the next

        await using var again = await Chat.ConnectAsync(Users.New("cy"));
        await again.SubscribeAsync($"leaderboard:{daily}");
        await again.SubscribeAsync($"leaderboard:{weekly}");
        Clock.Advance(TimeSpan.FromSeconds(61)); // Wednesday: the next one, of an empty day
        var next = (await again.NextAsync(f => f.Type() == "leaderboard_reset")).GetProperty("data");
        Assert.Equal((daily, "2026-05-06", "2026-05-05"), (next.Str("board"), next.Str("period"), next.Str("previous_period")));
        Assert.Empty(next.GetProperty("final").EnumerateArray());
        await Task.Delay(300);
        await again.PendingAfterSyncAsync(_ => true);
        Assert.Single(Resets(again, daily));
        Assert.Empty(Resets(again, weekly));
    }

    [Fact]
    public async Task A_board_of_period_all_has_no_reset_and_one_replaced_or_removed_keeps_no_job()
    {
        var (type, board, gone) = (Game.Fresh("swim"), Game.Fresh("all"), Game.Fresh("gone"));
        await Api.DefineAsync("/api/leaderboards", new { key = board, name = "Swims", source = type, period = "daily" });
        await Api.DefineAsync("/api/leaderboards", new { key = gone, name = "Gone", source = type, period = "daily" });
        Assert.Equal(System.Net.HttpStatusCode.OK, (await Api.PutAsync($"/api/leaderboards/{board}", new { name = "Swims", source = type, period = "all" })).Status);
        await using var watcher = await Chat.ConnectAsync(Users.New("cy"));
        await watcher.SubscribeAsync($"leaderboard:{board}");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await Api.SendAsync(HttpMethod.Delete, $"/api/leaderboards/{gone}")).Status);

        Clock.Advance(TimeSpan.FromHours(2));
        await Task.Delay(500);
        await watcher.PendingAfterSyncAsync(_ => true);
        Assert.Empty(Resets(watcher, board));
        Assert.Empty(await ResetJobsAsync(gone));
        Assert.Empty(await ResetJobsAsync(board));
    }

    [Fact]
    public async Task At_start_a_periodic_board_without_a_reset_gets_one_and_one_with_a_reset_keeps_it()
    {
        var (type, board) = (Game.Fresh("lift"), Game.Fresh("month"));
        await Api.DefineAsync("/api/leaderboards", new { key = board, name = "This month", source = type, period = "monthly" });
        var midnightOfJune = DateTimeOffset.Parse("2026-06-01T00:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        Assert.Equal([midnightOfJune], await ResetJobsAsync(board));

        // A board stored by a version that scheduled no resets: its job is added at start, once.
        await Database.InTransactionAsync(tx => tx.ExecuteAsync("DELETE FROM kit_jobs WHERE kind = 'gamification.board_reset'", null, CancellationToken.None));
        var scheduler = Chat.Server.Services.GetServices<IHostedService>().OfType<BoardResetScheduler>().Single();
        await scheduler.StartAsync(CancellationToken.None);
        Assert.Equal([midnightOfJune], await ResetJobsAsync(board));
        Clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.StartAsync(CancellationToken.None);
        Assert.Equal([midnightOfJune], await ResetJobsAsync(board));
    }

    [Fact]
    public async Task The_periods_a_board_has_scores_in_are_listed_newest_first_in_pages()
    {
        var (type, board) = (Game.Fresh("walk"), Game.Fresh("days"));
        await Api.DefineAsync("/api/leaderboards", new { key = board, name = "Steps", source = type, period = "daily" });
        var ada = Users.New("ada");
        foreach (var _ in Enumerable.Range(0, 3))
        {
            await Api.EventAsync(ada, type);
            Clock.Advance(TimeSpan.FromDays(1));
        }
        await Api.EventAsync(ada, type); // four days: May 4 to May 7, the last one current

        var first = (await Api.GetAsync($"/api/leaderboards/{board}/periods?limit=2")).Body;
        Assert.Equal([("2026-05-07", true, null), ("2026-05-06", false, "2026-05-07T00:00:00Z")], Periods(first));
        var rest = (await Api.GetAsync($"/api/leaderboards/{board}/periods?before={first.Str("next_cursor")}")).Body;
        Assert.Equal([("2026-05-05", false, "2026-05-06T00:00:00Z"), ("2026-05-04", false, "2026-05-05T00:00:00Z")], Periods(rest));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next_cursor").ValueKind);
        Assert.Equal(1, (await Api.GetAsync($"/api/leaderboards/{board}?period=2026-05-05")).Body.GetProperty("entries").GetArrayLength());

        foreach (var bad in new[] { "?limit=0", "?limit=101", "?before=2026-W19", "?before=x" })
        {
            var answer = await Api.GetAsync($"/api/leaderboards/{board}/periods{bad}");
            Assert.True(answer.Status == System.Net.HttpStatusCode.BadRequest, $"{bad}: {answer}");
        }
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await Api.GetAsync($"/api/leaderboards/{Game.Fresh("none")}/periods")).Status);
        using var user = Chat.Api(ada, "Ada");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await user.GetAsync($"/api/leaderboards/{board}/periods")).Status);
    }

    private static List<(string, bool, string?)> Periods(JsonElement list) => list.GetProperty("periods").EnumerateArray()
        .Select(p => (p.Str("period"), p.GetProperty("current").GetBoolean(),
            p.GetProperty("ended_at").ValueKind == JsonValueKind.Null ? null
                : p.GetProperty("ended_at").GetDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)))
        .ToList();

    private IDatabase Database => Chat.Server.Services.GetRequiredService<IDatabase>();

    private async Task<List<long>> ResetJobsAsync(string board) =>
        (await Database.ReadAsync(tx => tx.QueryAsync<long>("SELECT due_ms FROM kit_jobs WHERE kind = 'gamification.board_reset' AND job_key LIKE @board",
            new { board = board + "@%" }, CancellationToken.None))).ToList();
}

public sealed class SqliteBoardResetTests() : BoardResetTests("sqlite");

public sealed class PostgresBoardResetTests() : BoardResetTests("postgres");
