using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests.FeaturePages;

/// <summary>The gamification page (issue 15) in a real Chromium: profile, live leaderboard, toasts, celebrations, test events.</summary>
[Collection(BrowserCollection.Name)]
public sealed class GamificationPageTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private readonly ConsoleServer _server = ServerCalls.Start();

    private static ILocator Rows(ConsolePage p) => p.Page.Locator("#board-rows .rank-row");

    private async Task DefineAsync()
    {
        await _server.PostAsKeyAsync("/api/rules", """{"type":"workout.completed","xp":60}""");
        await _server.PostAsKeyAsync("/api/achievements", """{"key":"first","name":"First workout","rarity":"common","type":"workout.completed","threshold":1}""");
        await _server.PostAsKeyAsync("/api/achievements", """{"key":"three","name":"Three workouts","rarity":"legendary","xp":0,"type":"workout.completed","threshold":3}""");
        await _server.PostAsKeyAsync("/api/quests", """{"key":"daily-2","name":"Two workouts today","period":"daily","type":"workout.completed","count":2,"xp":0}""");
        await _server.PostAsKeyAsync("/api/streaks", """{"key":"days","name":"Workout days","type":"workout.completed"}""");
        await _server.PostAsKeyAsync("/api/leaderboards", """{"key":"xp","name":"XP","source":"xp"}""");
    }

    private Task EventAsync(string id, string user) =>
        _server.PostAsKeyAsync("/api/events", $$$"""{"id":"{{{id}}}","user":"{{{user}}}","type":"workout.completed","data":{"minutes":30}}""");

    private async Task<ConsolePage> OpenAsync(string user, bool admin = false, int width = 1200)
    {
        var page = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output, width: width, fragment: "#/gamification");
        await page.SignInAsync(user, admin);
        await Assertions.Expect(page.Page.Locator("#level")).ToHaveTextAsync("Level 1");
        return page;
    }

    [Fact]
    public async Task An_event_moves_the_xp_bar_and_shows_a_toast_and_the_leaderboard_moves_live_in_another_browser()
    {
        await DefineAsync();
        await using var alice = await OpenAsync("alice");
        await using var bob = await OpenAsync("bob");
        await Assertions.Expect(alice.Page.Locator("#achievements [data-achievement=three] .rarity")).ToHaveTextAsync("legendary");
        await Assertions.Expect(bob.Page.Locator("#board-rows .empty")).ToBeVisibleAsync();

        // Alice's workout: her toast, XP bar, quest and achievement; Bob's board shows her row without a reload.
        await EventAsync("a1", "alice");
        await Assertions.Expect(alice.Page.Locator(".toast.success", new() { HasText = "+60 XP (workout.completed)" })).ToHaveCountAsync(1);
        await Assertions.Expect(alice.Page.Locator("[data-progress=xp]")).ToHaveAttributeAsync("data-value", "60");
        await Assertions.Expect(alice.Page.Locator("[data-progress=xp] .progress-text")).ToHaveTextAsync("60 / 100 XP");
        await Assertions.Expect(alice.Page.Locator("[data-progress=quest-daily-2] .progress-text")).ToHaveTextAsync("1 / 2");
        await Assertions.Expect(alice.Page.Locator("#achievements [data-achievement=first]")).ToHaveAttributeAsync("data-unlocked", "true");
        await Assertions.Expect(alice.Page.Locator("#achievements [data-achievement=first]")).ToContainTextAsync("100% of players");
        await Assertions.Expect(alice.Page.Locator("#streaks [data-streak=days]")).ToContainTextAsync("1 day");
        await Assertions.Expect(Rows(bob)).ToHaveCountAsync(1);
        await Assertions.Expect(bob.Page.Locator("#board-rows [data-user=alice] .score")).ToHaveTextAsync("60");

        // Bob does two: he passes Alice on both boards (rank 1), and Alice's level-up comes with a celebration.
        await EventAsync("b1", "bob");
        await EventAsync("b2", "bob");
        await Assertions.Expect(bob.Page.Locator("#board-rows [data-user=bob]")).ToHaveAttributeAsync("data-rank", "1");
        await Assertions.Expect(alice.Page.Locator("#board-rows [data-user=bob] .score")).ToHaveTextAsync("120");
        await Assertions.Expect(Rows(alice).First).ToHaveAttributeAsync("data-user", "bob");
        await Assertions.Expect(alice.Page.Locator("#board-rows [data-user=alice]")).ToHaveAttributeAsync("data-rank", "2");
        await Assertions.Expect(bob.Page.Locator(".celebration .celebration-title")).ToHaveTextAsync("Level 2!");

        // Alice's third workout: a legendary unlock is celebrated full screen.
        await EventAsync("a2", "alice");
        await EventAsync("a3", "alice");
        await Assertions.Expect(alice.Page.Locator(".celebration.legendary .celebration-title")).ToHaveTextAsync("Three workouts");
        await alice.ScreenshotAsync("gamification-celebration");
        await Assertions.Expect(bob.Page.Locator("#board-rows [data-user=alice] .score")).ToHaveTextAsync("180");
        await Assertions.Expect(Rows(bob).First).ToHaveAttributeAsync("data-user", "alice");
        await alice.Page.Locator(".celebration").ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".celebration")).ToHaveCountAsync(0);
        await alice.ScreenshotAsync("gamification-profile");
        Assert.Empty(alice.UnexpectedErrors());
        Assert.Empty(bob.UnexpectedErrors());
    }

    [Fact]
    public async Task Staff_send_a_test_event_from_the_form_and_the_user_sees_it_and_members_have_no_form()
    {
        await DefineAsync();
        await using var alice = await OpenAsync("alice");
        await Assertions.Expect(alice.Page.Locator("#test-event")).ToHaveCountAsync(0);
        await using var carol = await OpenAsync("carol", admin: true);
        var form = carol.Page.Locator("#test-event");
        await form.GetByLabel("User").FillAsync("alice");
        await form.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(form.Locator("#event-result")).ToHaveTextAsync("60 XP → 60 total, level 1");
        await Assertions.Expect(alice.Page.Locator(".toast.success", new() { HasText = "+60 XP" })).ToHaveCountAsync(1);
        await Assertions.Expect(carol.Page.Locator("#board-rows [data-user=alice] .score")).ToHaveTextAsync("60");

        // Bad JSON never leaves the page; the server's refusal of a bad type reaches staff as a toast.
        await form.GetByLabel("Data (JSON)").FillAsync("{nope");
        await form.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(carol.Page.Locator(".toast.error", new() { HasText = "JSON object" })).ToHaveCountAsync(1);
        await form.GetByLabel("Data (JSON)").FillAsync("");
        await form.GetByLabel("Type").FillAsync("bad:type");
        await form.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(carol.Page.Locator(".toast.error", new() { HasText = "type" })).ToHaveCountAsync(1);
        Assert.Empty(alice.UnexpectedErrors());
        Assert.DoesNotContain(carol.UnexpectedErrors(), e => !e.Contains("400", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(1400)]
    public async Task The_page_never_scrolls_sideways(int width)
    {
        await DefineAsync();
        await _server.PostAsKeyAsync("/api/achievements", $$"""{"key":"long","name":"{{new string('A', 100)}}","description":"{{new string('d', 300)}}","type":"workout.completed","threshold":9}""");
        await EventAsync("w1", "alice");
        await using var alice = await OpenAsync("alice", admin: true, width: width);
        await Assertions.Expect(Rows(alice)).ToHaveCountAsync(1);
        Assert.False(await alice.ScrollsSidewaysAsync("#gamification"));
        await alice.ScreenshotAsync($"gamification-{width}");
        Assert.Empty(alice.UnexpectedErrors());
    }

    public void Dispose() => _server.Dispose();
}
