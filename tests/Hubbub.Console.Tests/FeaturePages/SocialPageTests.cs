using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests.FeaturePages;

/// <summary>The social page (issue 16) in a real Chromium: friends, the live feed, likes and comments between two browsers (a third user's like reaching a viewer), the Development seed (with its challenge).</summary>
[Collection(BrowserCollection.Name)]
public sealed class SocialPageTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private ConsoleServer _server = ServerCalls.Start();

    private static ILocator Card(ConsolePage p, string title) => p.Page.Locator("#feed .activity-card", new() { HasText = title });

    private async Task<ConsolePage> OpenAsync(string user, int width = 1200)
    {
        var page = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output, width: width, fragment: "#/social");
        await page.SignInAsync(user);
        await Assertions.Expect(page.Page.Locator("#friends-list")).ToBeVisibleAsync();
        return page;
    }

    [Fact]
    public async Task Two_users_become_friends_and_see_posts_likes_and_comments_of_each_other_live_with_toasts()
    {
        await using var alice = await OpenAsync("alice");
        await using var bob = await OpenAsync("bob");
        await Assertions.Expect(alice.Page.Locator("#feed .empty")).ToBeVisibleAsync();

        // Alice asks, Bob gets a toast and the request, accepts; Alice gets a toast and Bob in her friends.
        await alice.Page.Locator("#add-friend").GetByLabel("Friend").FillAsync("bob");
        await alice.Page.Locator("#add-friend button[type=submit]").ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".toast.success", new() { HasText = "Request sent to bob" })).ToHaveCountAsync(1);
        await Assertions.Expect(alice.Page.Locator("#friends-outgoing [data-user=bob]")).ToBeVisibleAsync();
        await Assertions.Expect(bob.Page.Locator(".toast.info", new() { HasText = "Alice wants to be friends" })).ToHaveCountAsync(1);
        await bob.Page.Locator("#friends-incoming [data-user=alice] button", new() { HasText = "Accept" }).ClickAsync();
        await Assertions.Expect(bob.Page.Locator("#friends-list [data-user=alice]")).ToBeVisibleAsync();
        await Assertions.Expect(alice.Page.Locator(".toast.success", new() { HasText = "You and Bob are friends now" })).ToHaveCountAsync(1);
        await Assertions.Expect(alice.Page.Locator("#friends-list [data-user=bob]")).ToBeVisibleAsync();
        await Assertions.Expect(alice.Page.Locator("#friends-outgoing")).ToHaveCountAsync(0);
        await Assertions.Expect(alice.Page.Locator("#friends")).Not.ToContainTextAsync("null");

        // Bob posts (markup in the title stays text): it appears in Alice's feed without a reload.
        var post = bob.Page.Locator("#post-activity");
        await post.GetByLabel("What").FillAsync("run");
        await post.GetByLabel("Title").FillAsync("5 km <b>run</b>");
        await post.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(Card(bob, "5 km <b>run</b>")).ToHaveCountAsync(1);
        var aliceCard = Card(alice, "5 km <b>run</b>");
        await Assertions.Expect(aliceCard).ToHaveCountAsync(1);
        await Assertions.Expect(alice.Page.Locator("#feed b")).ToHaveCountAsync(0);
        var bobCard = Card(bob, "5 km <b>run</b>");
        await Assertions.Expect(bobCard.Locator(".like-count")).ToHaveTextAsync("0");

        // Alice likes: her button says so, Bob's count moves live with a toast; she comments: his card and a toast.
        await aliceCard.Locator("button.like").ClickAsync();
        await Assertions.Expect(aliceCard.Locator("button.like")).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(aliceCard.Locator(".like-count")).ToHaveTextAsync("1");
        await Assertions.Expect(bobCard.Locator(".like-count")).ToHaveTextAsync("1");
        await Assertions.Expect(bob.Page.Locator(".toast.success", new() { HasText = "Alice liked “5 km <b>run</b>” (1 like)" })).ToHaveCountAsync(1);
        await aliceCard.GetByLabel("Comment", new() { Exact = true }).FillAsync("Nice pace! <img src=x onerror=alert(1)>");
        await aliceCard.GetByLabel("Comment", new() { Exact = true }).PressAsync("Enter");
        await Assertions.Expect(aliceCard.Locator(".comment")).ToContainTextAsync("Nice pace! <img src=x onerror=alert(1)>");
        await Assertions.Expect(bobCard.Locator(".comment")).ToContainTextAsync("Nice pace!");
        await Assertions.Expect(bobCard.Locator(".comment-count")).ToHaveTextAsync("1 comment");
        await Assertions.Expect(bob.Page.Locator(".toast.info", new() { HasText = "Alice commented on" })).ToHaveCountAsync(1);
        await Assertions.Expect(bob.Page.Locator("#feed img")).ToHaveCountAsync(0);
        await bob.ScreenshotAsync("social-feed");

        // Carol, Bob's friend, likes his post: Alice, a viewer and not the author, sees the count move live (activity:{id}).
        var id = await bobCard.GetAttributeAsync("data-activity");
        await _server.PostAsKeyAsync("/api/friends?user=carol", """{"user":"bob"}""");
        await _server.PostAsKeyAsync("/api/friends?user=bob", """{"user":"carol"}""");
        await _server.PostAsKeyAsync($"/api/activities/{id}/likes?user=carol", "{}");
        await Assertions.Expect(aliceCard.Locator(".like-count")).ToHaveTextAsync("2");
        await Assertions.Expect(aliceCard.Locator("button.like")).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(bobCard.Locator(".like-count")).ToHaveTextAsync("2");

        // Unlike moves the counts back; his delete takes the card out of Alice's feed live.
        await aliceCard.Locator("button.like").ClickAsync();
        await Assertions.Expect(aliceCard.Locator("button.like")).ToHaveAttributeAsync("aria-pressed", "false");
        await Assertions.Expect(bobCard.Locator(".like-count")).ToHaveTextAsync("1");
        await Assertions.Expect(aliceCard.Locator(".like-count")).ToHaveTextAsync("1");
        await bobCard.Locator("button.remove").ClickAsync();
        await Assertions.Expect(aliceCard).ToHaveCountAsync(0);
        await Assertions.Expect(bobCard).ToHaveCountAsync(0);

        // Bob removes Alice: each one's list empties, and her posts leave his feed.
        await alice.Page.Locator("#post-activity").GetByLabel("Title").FillAsync("Alice swims");
        await alice.Page.Locator("#post-activity button[type=submit]").ClickAsync();
        await Assertions.Expect(Card(bob, "Alice swims")).ToHaveCountAsync(1);
        await bob.Page.Locator("#friends-list [data-user=alice] button", new() { HasText = "Remove" }).ClickAsync();
        await Assertions.Expect(bob.Page.Locator("#friends-list [data-user=alice]")).ToHaveCountAsync(0); // Carol stays
        await Assertions.Expect(alice.Page.Locator("#friends-list .empty")).ToBeVisibleAsync();
        await Assertions.Expect(Card(bob, "Alice swims")).ToHaveCountAsync(0);
        Assert.Empty(alice.UnexpectedErrors());
        Assert.Empty(bob.UnexpectedErrors());
    }

    [Fact]
    public async Task The_development_seed_gives_a_newcomer_a_living_page()
    {
        _server.Dispose();
        _server = new ConsoleServer(settings: new() { ["Auth:ApiKey"] = ServerCalls.ApiKey, ["Social:DevelopmentSeed"] = "true" });
        await using var alice = await OpenAsync("alice");
        await Assertions.Expect(alice.Page.Locator("#friends-list [data-user=bob]")).ToBeVisibleAsync();
        await Assertions.Expect(alice.Page.Locator("#friends-list [data-user=carol]")).ToBeVisibleAsync();
        var run = Card(alice, "Bob finished a 5 km run");
        await Assertions.Expect(run.Locator(".like-count")).ToHaveTextAsync("2");
        await Assertions.Expect(run.Locator("button.like")).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(run.Locator(".comment")).ToContainTextAsync("Great pace, Bob!");
        // Bob and Carol joined this week's challenge (their joins are two more cards); Bob is two workouts in.
        await Assertions.Expect(alice.Page.Locator("#feed .activity-card")).ToHaveCountAsync(5);
        var challenge = alice.Page.Locator("#social-challenge-list .challenge-card", new() { HasText = "Three workouts this week" });
        await Assertions.Expect(challenge.Locator(".participant-count")).ToHaveTextAsync("2");
        await Assertions.Expect(challenge.Locator(".challenge-row[data-user=bob]")).ToHaveAttributeAsync("data-score", "2");
        await Assertions.Expect(challenge.Locator(".challenge-row[data-user=carol]")).ToHaveAttributeAsync("data-rank", "2");
        await challenge.Locator("button.challenge-join").ClickAsync();
        await Assertions.Expect(challenge.Locator(".participant-count")).ToHaveTextAsync("3");
        await Assertions.Expect(challenge.Locator("[data-progress] .progress-text")).ToHaveTextAsync("0 / 3");

        // Dave's request waits for Alice: accepting it makes him a friend.
        await alice.Page.Locator("#friends-incoming [data-user=dave] button", new() { HasText = "Accept" }).ClickAsync();
        await Assertions.Expect(alice.Page.Locator("#friends-list [data-user=dave]")).ToBeVisibleAsync();
        await alice.ScreenshotAsync("social-seeded");
        Assert.Empty(alice.UnexpectedErrors());
    }

    [Theory]
    [InlineData(400)]
    [InlineData(1400)]
    public async Task The_page_never_scrolls_sideways(int width)
    {
        var wide = new string('w', 60);
        await _server.PostAsKeyAsync($"/api/friends?user={wide}", """{"user":"alice"}""");
        await _server.PostAsKeyAsync("/api/friends?user=alice", $$"""{"user":"{{wide}}"}""");
        await _server.PostAsKeyAsync("/api/activities", $$"""{"user":"{{wide}}","type":"{{new string('t', 64)}}","title":"{{new string('T', 200)}}","description":"{{new string('d', 500)}}"}""");
        await using var alice = await OpenAsync("alice", width: width);
        await Assertions.Expect(alice.Page.Locator("#feed .activity-card")).ToHaveCountAsync(1);
        await Assertions.Expect(alice.Page.Locator($"#friends-list [data-user={wide}]")).ToBeVisibleAsync();
        Assert.False(await alice.ScrollsSidewaysAsync("#social"));
        await alice.ScreenshotAsync($"social-{width}");
        Assert.Empty(alice.UnexpectedErrors());
    }

    public void Dispose() => _server.Dispose();
}
