using System.Globalization;
using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests.FeaturePages;

/// <summary>
/// Challenge cards (issues 15 and 16) in a real Chromium, on the Progress and Social pages: one browser joins, an event
/// the server posts for a user counts, and the other browser's card moves live with toasts; friends only on the Social
/// page; staff create one from the form; an upcoming card turning active at its start; the end with its standings; no
/// sideways scroll at 400 and 1400 px.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ChallengePageTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private readonly ConsoleServer _server = ServerCalls.Start();

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A challenge from an hour ago (or <paramref name="startsIn"/> from now) that ends <paramref name="lasts"/> from now (a week).</summary>
    private async Task<string> CreateAsync(string title, int goal = 3, TimeSpan? lasts = null, TimeSpan? startsIn = null) =>
        (await _server.PostAsKeyAsync("/api/challenges", $$"""
            {"title":"{{title}}","type":"workout.completed","goal":{{goal}},"starts_at":"{{Iso(DateTimeOffset.UtcNow + (startsIn ?? TimeSpan.FromHours(-1)))}}",
             "ends_at":"{{Iso(DateTimeOffset.UtcNow + (lasts ?? TimeSpan.FromDays(7)))}}"}
            """)).GetProperty("id").GetString()!;

    /// <summary>A domain event the app's backend posts with the API key: counts toward the user's joined challenges.</summary>
    private Task WorkoutAsync(string user) =>
        _server.PostAsKeyAsync("/api/events", $$"""{"id":"{{Guid.NewGuid():N}}","user":"{{user}}","type":"workout.completed"}""");

    private async Task<ConsolePage> OpenAsync(string user, string fragment, bool admin = false, int width = 1200)
    {
        var page = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output, width: width, fragment: fragment);
        await page.SignInAsync(user, admin);
        return page;
    }

    private static ILocator Card(ConsolePage p, string id) => p.Page.Locator($"#page-{(p.Page.Url.EndsWith("social", StringComparison.Ordinal) ? "social" : "gamification")} .challenge-card[data-challenge='{id}']");

    [Fact]
    public async Task Progress_page_one_joins_and_the_others_card_moves_live_with_toasts()
    {
        var id = await CreateAsync("Three workouts");
        await using var alice = await OpenAsync("alice", "#/gamification");
        await using var bob = await OpenAsync("bob", "#/gamification");
        var aliceCard = Card(alice, id);
        var bobCard = Card(bob, id);
        await Assertions.Expect(bobCard.Locator(".participant-count")).ToHaveTextAsync("0");
        await Assertions.Expect(aliceCard.Locator(".challenge-goal")).ToHaveTextAsync("Goal: 3 × workout.completed");
        await Assertions.Expect(aliceCard.Locator(".state-tag")).ToHaveTextAsync("active");
        await Assertions.Expect(aliceCard.Locator(".challenge-mine")).ToBeHiddenAsync();

        // Alice joins: her progress bar shows; Bob's card counts her, lists her and toasts.
        await aliceCard.Locator("button.challenge-join").ClickAsync();
        await Assertions.Expect(aliceCard.Locator("button.challenge-join")).ToHaveTextAsync("Leave");
        await Assertions.Expect(aliceCard.Locator("[data-progress] .progress-text")).ToHaveTextAsync("0 / 3");
        await Assertions.Expect(bobCard.Locator(".participant-count")).ToHaveTextAsync("1");
        await Assertions.Expect(bobCard.Locator(".challenge-row[data-user=alice]")).ToHaveAttributeAsync("data-score", "0");
        await Assertions.Expect(bob.Page.Locator(".toast.info", new() { HasText = "Alice joined “Three workouts”" })).ToHaveCountAsync(1);

        // The backend posts Alice's workout: her bar and Bob's row move without a reload.
        await WorkoutAsync("alice");
        await Assertions.Expect(aliceCard.Locator("[data-progress] .progress-text")).ToHaveTextAsync("1 / 3");
        await Assertions.Expect(bobCard.Locator(".challenge-row[data-user=alice]")).ToHaveAttributeAsync("data-score", "1");

        // Bob joins and does two: he passes Alice on her card (rank 1), live.
        await bobCard.Locator("button.challenge-join").ClickAsync();
        await Assertions.Expect(aliceCard.Locator(".participant-count")).ToHaveTextAsync("2");
        await WorkoutAsync("bob");
        await WorkoutAsync("bob");
        await Assertions.Expect(aliceCard.Locator(".challenge-row[data-user=bob]")).ToHaveAttributeAsync("data-rank", "1");
        await Assertions.Expect(aliceCard.Locator(".challenge-row[data-user=alice]")).ToHaveAttributeAsync("data-rank", "2");
        await Assertions.Expect(aliceCard.Locator(".challenge-row").First).ToHaveAttributeAsync("data-user", "bob");

        // Bob's third completes it: toasts on both sides, the check mark in the rows.
        await WorkoutAsync("bob");
        await Assertions.Expect(bob.Page.Locator(".toast.success", new() { HasText = "You completed “Three workouts”!" })).ToHaveCountAsync(1);
        await Assertions.Expect(alice.Page.Locator(".toast.success", new() { HasText = "Bob completed “Three workouts”" })).ToHaveCountAsync(1);
        await Assertions.Expect(aliceCard.Locator(".challenge-row[data-user=bob] .score")).ToHaveTextAsync("3 ✓");
        await Assertions.Expect(bobCard.Locator("[data-progress] .progress-text")).ToHaveTextAsync("3 / 3 ✓");
        await bob.ScreenshotAsync("challenge-progress");

        // Alice leaves: Bob's card drops her row and count.
        await aliceCard.Locator("button.challenge-join").ClickAsync();
        await Assertions.Expect(aliceCard.Locator("button.challenge-join")).ToHaveTextAsync("Join");
        await Assertions.Expect(bobCard.Locator(".participant-count")).ToHaveTextAsync("1");
        await Assertions.Expect(bobCard.Locator(".challenge-row[data-user=alice]")).ToHaveCountAsync(0);
        await Assertions.Expect(aliceCard.Locator(".participant-count")).ToHaveTextAsync("1");

        // Bob's Social page shares the card's subscription, whose join state is from before all this: its card reads afresh.
        await bob.Page.GotoAsync(_server.BaseAddress + "#/social");
        var social = Card(bob, id);
        await Assertions.Expect(social.Locator(".participant-count")).ToHaveTextAsync("1");
        await Assertions.Expect(social.Locator("[data-progress] .progress-text")).ToHaveTextAsync("3 / 3 ✓");
        await Assertions.Expect(social.Locator(".challenge-row[data-user=bob]")).ToHaveAttributeAsync("data-score", "3");
        Assert.Empty(alice.UnexpectedErrors());
        Assert.Empty(bob.UnexpectedErrors());
    }

    [Fact]
    public async Task Social_page_shows_me_and_my_friends_live_a_friends_join_toasts_and_its_card_joins()
    {
        await _server.PostAsKeyAsync("/api/friends?user=alice", """{"user":"bob"}""");
        await _server.PostAsKeyAsync("/api/friends?user=bob", """{"user":"alice"}""");
        var id = await CreateAsync("Run club");
        await using var alice = await OpenAsync("alice", "#/social");
        await using var bob = await OpenAsync("bob", "#/social");
        var aliceCard = Card(alice, id);
        await Assertions.Expect(aliceCard.Locator(".challenge-rows .empty")).ToBeVisibleAsync();

        // Bob joins from his card: Alice gets a toast, his join's activity card, and his row on her challenge card.
        await Card(bob, id).Locator("button.challenge-join").ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".toast.info", new() { HasText = "Bob joined the challenge “Run club”" })).ToHaveCountAsync(1);
        await Assertions.Expect(aliceCard.Locator(".challenge-row[data-user=bob]")).ToBeVisibleAsync();
        var joinedActivity = alice.Page.Locator("#feed .activity-card", new() { HasText = "Bob joined the challenge “Run club”" });
        await Assertions.Expect(joinedActivity.Locator("button.join-challenge")).ToBeVisibleAsync();

        // Bob's workout moves his row on Alice's page; Dave, no friend of hers, joins and works out: not listed for her.
        await WorkoutAsync("bob");
        await Assertions.Expect(aliceCard.Locator(".challenge-row[data-user=bob]")).ToHaveAttributeAsync("data-score", "1");
        await _server.PostAsKeyAsync($"/api/challenges/{id}/join?user=dave", "{}");
        await WorkoutAsync("dave");
        await WorkoutAsync("dave");
        await Assertions.Expect(aliceCard.Locator(".participant-count")).ToHaveTextAsync("2");
        await Assertions.Expect(aliceCard.Locator(".challenge-row[data-user=dave]")).ToHaveCountAsync(0);
        await Assertions.Expect(aliceCard.Locator(".challenge-row[data-user=bob]")).ToHaveAttributeAsync("data-rank", "2");

        // Alice joins from Bob's activity card: her challenge card shows her in, and Bob's page lists her live.
        await joinedActivity.Locator("button.join-challenge").ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".toast.success", new() { HasText = "You joined “Run club”" })).ToHaveCountAsync(1);
        await Assertions.Expect(aliceCard.Locator("button.challenge-join")).ToHaveTextAsync("Leave");
        await Assertions.Expect(aliceCard.Locator(".challenge-row[data-user=alice]")).ToBeVisibleAsync();
        await Assertions.Expect(Card(bob, id).Locator(".challenge-row[data-user=alice]")).ToBeVisibleAsync();
        await Assertions.Expect(bob.Page.Locator(".toast.info", new() { HasText = "Alice joined the challenge “Run club”" })).ToHaveCountAsync(1);
        var ownJoin = alice.Page.Locator("#feed .activity-card", new() { HasText = "Alice joined the challenge “Run club”" });
        await Assertions.Expect(ownJoin).ToHaveCountAsync(1);
        await Assertions.Expect(ownJoin.Locator("button.join-challenge")).ToHaveCountAsync(0); // no Join on my own join
        await WorkoutAsync("alice");
        await Assertions.Expect(Card(bob, id).Locator(".challenge-row[data-user=alice]")).ToHaveAttributeAsync("data-score", "1");
        await alice.ScreenshotAsync("challenge-social");
        Assert.Empty(alice.UnexpectedErrors());
        Assert.Empty(bob.UnexpectedErrors());
    }

    [Fact]
    public async Task Staff_create_a_challenge_from_the_form_members_have_none_and_the_end_shows_the_standings()
    {
        await using var alice = await OpenAsync("alice", "#/gamification");
        await Assertions.Expect(alice.Page.Locator("#challenge-list .empty")).ToBeVisibleAsync();
        await Assertions.Expect(alice.Page.Locator("#new-challenge")).ToHaveCountAsync(0);
        await using var carol = await OpenAsync("carol", "#/gamification", admin: true);
        var form = carol.Page.Locator("#new-challenge");

        // A refused goal reaches staff as a toast and creates nothing.
        await form.GetByLabel("Title").FillAsync("Zero goal");
        await form.GetByLabel("Goal").FillAsync("0");
        await form.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(carol.Page.Locator(".toast.error", new() { HasText = "goal" })).ToHaveCountAsync(1);
        await Assertions.Expect(carol.Page.Locator("#challenge-list .challenge-card")).ToHaveCountAsync(0);

        await form.GetByLabel("Title").FillAsync("Weekend <b>sprint</b>");
        await form.GetByLabel("Goal").FillAsync("2");
        await form.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(carol.Page.Locator(".toast.success", new() { HasText = "Challenge “Weekend <b>sprint</b>” created" })).ToHaveCountAsync(1);
        var card = carol.Page.Locator("#challenge-list .challenge-card");
        await Assertions.Expect(card.Locator(".challenge-title")).ToHaveTextAsync("Weekend <b>sprint</b>");
        await Assertions.Expect(carol.Page.Locator("#challenge-list b")).ToHaveCountAsync(0);

        // A challenge starting in 10 s and ending 6 s later: joined while upcoming, the card turns active by itself at
        // the start, and the scheduler's challenge_ended gives the final standings and a toast.
        var id = await CreateAsync("Quick one", goal: 5, startsIn: TimeSpan.FromSeconds(10), lasts: TimeSpan.FromSeconds(16));
        await alice.Page.ReloadAsync();
        await Assertions.Expect(alice.Page.Locator("#conn")).ToHaveAttributeAsync("data-state", "connected");
        var quick = Card(alice, id);
        await Assertions.Expect(quick).ToHaveAttributeAsync("data-state", "upcoming");
        await quick.Locator("button.challenge-join").ClickAsync();
        await Assertions.Expect(quick.Locator("[data-progress] .progress-text")).ToHaveTextAsync("0 / 5");
        await Assertions.Expect(quick).ToHaveAttributeAsync("data-state", "active", new() { Timeout = 20000 });
        await WorkoutAsync("alice");
        await Assertions.Expect(quick.Locator(".challenge-row[data-user=alice]")).ToHaveAttributeAsync("data-score", "1");
        await Assertions.Expect(alice.Page.Locator(".toast.info", new() { HasText = "“Quick one” ended: Alice won with 1" }))
            .ToHaveCountAsync(1, new() { Timeout = 30000 });
        await Assertions.Expect(quick).ToHaveAttributeAsync("data-state", "ended");
        await Assertions.Expect(quick.Locator("button.challenge-join")).ToBeHiddenAsync();
        Assert.Empty(alice.UnexpectedErrors());
        Assert.DoesNotContain(carol.UnexpectedErrors(), e => !e.Contains("400", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(1400)]
    public async Task The_challenge_cards_never_scroll_sideways(int width)
    {
        var wide = new string('w', 60);
        var id = await CreateAsync(new string('T', 200));
        await _server.PostAsKeyAsync("/api/friends?user=alice", $$"""{"user":"{{wide}}"}""");
        await _server.PostAsKeyAsync($"/api/friends?user={wide}", """{"user":"alice"}""");
        await _server.PostAsKeyAsync($"/api/challenges/{id}/join?user={wide}", "{}");
        await WorkoutAsync(wide);
        await using var alice = await OpenAsync("alice", "#/gamification", admin: true, width: width);
        await Assertions.Expect(Card(alice, id).Locator($".challenge-row[data-user={wide}]")).ToBeVisibleAsync();
        Assert.False(await alice.ScrollsSidewaysAsync("#gamification"));
        await alice.ScreenshotAsync($"challenge-progress-{width}");
        await alice.Page.GotoAsync(_server.BaseAddress + "#/social");
        await Assertions.Expect(Card(alice, id).Locator($".challenge-row[data-user={wide}]")).ToBeVisibleAsync();
        Assert.False(await alice.ScrollsSidewaysAsync("#social"));
        await alice.ScreenshotAsync($"challenge-social-{width}");
        Assert.Empty(alice.UnexpectedErrors());
    }

    public void Dispose() => _server.Dispose();
}
