using System.Globalization;
using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests.FeaturePages;

/// <summary>
/// The gamification page at a daily board's reset, in a real Chromium: the server runs on a fake clock set a minute
/// before a UTC midnight (the browser keeps its real one), the test moves it past midnight and the platform's
/// scheduler resets the board for real, telling the page <c>leaderboard_reset</c> on the board's channel.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class GamificationPageResetTests : IDisposable
{
    // The first UTC midnight at least two minutes ahead of now: the fake clock, a minute before it, is never behind the
    // real one, so the tokens the server signs on its fake clock stay valid for the real-time checks that read them.
    private static readonly DateTimeOffset Midnight = new(DateTime.SpecifyKind(DateTime.UtcNow.AddMinutes(2).Date.AddDays(1), DateTimeKind.Utc));

    private readonly BrowserFixture _browser;
    private readonly ITestOutputHelper _output;
    private readonly FakeTimeProvider _clock = new(Midnight.AddMinutes(-1));
    private readonly ConsoleServer _server;

    public GamificationPageResetTests(BrowserFixture browser, ITestOutputHelper output)
    {
        (_browser, _output) = (browser, output);
        _server = ServerCalls.Start(_clock);
    }

    private static string Day(DateTimeOffset t) => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static ILocator Rows(ConsolePage p) => p.Page.Locator("#board-rows .rank-row");

    private Task EventAsync(string id, string user, int km) =>
        _server.PostAsKeyAsync("/api/events", $$$"""{"id":"{{{id}}}","user":"{{{user}}}","type":"run.finished","data":{"km":{{{km}}}}}""");

    /// <summary>
    /// Waits for <paramref name="count"/> rows, moving the server's clock 300 ms at a time: a board's changes are
    /// coalesced on the server's clock (at most one <c>leaderboard_change</c> per 250 ms, sent 300 ms apart), so a second
    /// change waits for it.
    /// </summary>
    private async Task RowsAsync(ConsolePage page, int count)
    {
        for (var i = 0; i < 40 && await Rows(page).CountAsync() != count; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(300));
            await Task.Delay(100);
        }
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(count);
    }

    [Fact]
    public async Task At_midnight_the_daily_board_empties_and_shows_the_new_period_with_the_ended_days_winner_toasted()
    {
        await _server.PostAsKeyAsync("/api/leaderboards", """{"key":"today","name":"Today's km","source":"run.finished:km","period":"daily"}""");
        await using var alice = await ConsolePage.OpenAsync(_browser, _server.BaseAddress, _output, fragment: "#/gamification");
        await alice.SignInAsync("alice");
        await Assertions.Expect(alice.Page.Locator("#board-info")).ToContainTextAsync($"period {Day(Midnight.AddDays(-1))}");

        await EventAsync("a1", "alice", 5);
        await EventAsync("b1", "bob", 8);
        await RowsAsync(alice, 2);
        await Assertions.Expect(Rows(alice).First).ToHaveAttributeAsync("data-user", "bob");
        await Assertions.Expect(alice.Page.Locator("#board-rows [data-user=alice] .score")).ToHaveTextAsync("5");

        // Half a minute: nothing due, the rows stay. Then past midnight: the scheduler's reset reaches the page.
        _clock.Advance(TimeSpan.FromSeconds(30));
        await Task.Delay(300);
        await Assertions.Expect(Rows(alice)).ToHaveCountAsync(2);
        Assert.True(_clock.GetUtcNow() < Midnight);
        _clock.Advance(Midnight.AddSeconds(1) - _clock.GetUtcNow());
        await Assertions.Expect(alice.Page.Locator("#board-info")).ToContainTextAsync($"period {Day(Midnight)}");
        await Assertions.Expect(Rows(alice)).ToHaveCountAsync(0);
        await Assertions.Expect(alice.Page.Locator("#board-rows .empty")).ToHaveTextAsync("No scores yet.");
        await Assertions.Expect(alice.Page.Locator(".toast.info", new() { HasText = $"{Day(Midnight.AddDays(-1))}: bob finished first" }))
            .ToHaveCountAsync(1);

        // The new day's first score shows as a row of its own, live, on the emptied board.
        await EventAsync("a2", "alice", 3);
        await RowsAsync(alice, 1);
        await Assertions.Expect(alice.Page.Locator("#board-rows [data-user=alice] .score")).ToHaveTextAsync("3");
        await alice.ScreenshotAsync("gamification-board-reset");
        Assert.Empty(alice.UnexpectedErrors());
    }

    public void Dispose() => _server.Dispose();
}
