using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests.FeaturePages;

/// <summary>The venues page (issue 17) in a real Chromium: the live dashboard, the member's check-in, the staff kiosk.</summary>
[Collection(BrowserCollection.Name)]
public sealed class VenuesPageTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private readonly ConsoleServer _server = ServerCalls.Start();

    private static ILocator Counter(ConsolePage p, string key) => p.Page.Locator($"#page-venues [data-counter={key}] .counter-value");

    private async Task<ConsolePage> OpenVenuesAsync(string user, bool admin = false, int width = 1200)
    {
        var page = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output, width: width, fragment: "#/venues");
        await page.SignInAsync(user, admin);
        await Assertions.Expect(page.Page.Locator("nav a[data-page=venues]")).ToHaveClassAsync("active");
        return page;
    }

    [Fact]
    public async Task A_member_checks_in_in_one_browser_and_the_dashboard_in_another_moves_live_with_a_toast()
    {
        await _server.PostAsKeyAsync("/api/venues", """{"id":"city-gym","name":"City Gym","capacity":40,"timezone":"Europe/Berlin","locations":["front desk","pool"]}""");
        await using var alice = await OpenVenuesAsync("alice");
        await using var bob = await OpenVenuesAsync("bob");
        await Assertions.Expect(alice.Page.Locator("#venues h1")).ToHaveTextAsync("City Gym");
        await Assertions.Expect(Counter(alice, "present")).ToHaveTextAsync("0");
        await Assertions.Expect(alice.Page.Locator("#page-venues [data-counter=present] .live-badge")).ToHaveTextAsync("LIVE");

        // Bob checks in at the pool with his own button: Alice's counters, feed and toasts move without a reload.
        await bob.Page.Locator("#member-card select").SelectOptionAsync("pool");
        await bob.Page.Locator("#checkin").ClickAsync();
        await Assertions.Expect(bob.Page.Locator("#checkout")).ToBeVisibleAsync();
        await Assertions.Expect(bob.Page.Locator("#my-state")).ToContainTextAsync("at pool");
        await Assertions.Expect(Counter(alice, "present")).ToHaveTextAsync("1");
        await Assertions.Expect(Counter(alice, "checkins")).ToHaveTextAsync("1");
        await Assertions.Expect(alice.Page.Locator("#venue-dashboard .feed-item").First).ToContainTextAsync("Bob checked in at pool");
        await Assertions.Expect(alice.Page.Locator(".toast.success", new() { HasText = "Bob checked in at pool" })).ToHaveCountAsync(1);

        // The venue's backend checks Dave in with the API key: the same dashboard moves again.
        await _server.PostAsKeyAsync("/api/venues/city-gym/checkins", """{"user":"dave","location":"front desk"}""");
        await Assertions.Expect(Counter(alice, "present")).ToHaveTextAsync("2");
        await Assertions.Expect(Counter(alice, "peak")).ToHaveTextAsync("2");

        // Bob checks out: an info toast, the check-out in the feed with its duration, the counters follow.
        await bob.Page.Locator("#checkout").ClickAsync();
        await Assertions.Expect(bob.Page.Locator("#checkin")).ToBeVisibleAsync();
        await Assertions.Expect(bob.Page.Locator("#my-visits .feed-item").First).ToContainTextAsync("pool");
        await Assertions.Expect(Counter(alice, "present")).ToHaveTextAsync("1");
        await Assertions.Expect(Counter(alice, "checkouts")).ToHaveTextAsync("1");
        await Assertions.Expect(alice.Page.Locator("#venue-dashboard .feed-item").First).ToContainTextAsync("Bob checked out");
        await Assertions.Expect(alice.Page.Locator("#venue-dashboard .feed-item").First).ToContainTextAsync("stayed");
        await Assertions.Expect(alice.Page.Locator(".toast.info", new() { HasText = "Bob checked out after" })).ToHaveCountAsync(1);
        await Assertions.Expect(alice.Page.Locator("#venue-dashboard .feed-item")).ToHaveCountAsync(3);

        // A reload starts from the join state: the same numbers and the same feed at once.
        await alice.Page.ReloadAsync();
        await Assertions.Expect(Counter(alice, "present")).ToHaveTextAsync("1");
        await Assertions.Expect(alice.Page.Locator("#venue-dashboard .feed-item")).ToHaveCountAsync(3);
        await alice.ScreenshotAsync("venues-dashboard");
        Assert.Empty(alice.UnexpectedErrors());
        Assert.Empty(bob.UnexpectedErrors());
    }

    [Fact]
    public async Task Staff_create_a_venue_and_check_members_in_and_out_at_the_kiosk_and_members_see_no_kiosk()
    {
        await using var carol = await OpenVenuesAsync("carol", admin: true);
        await Assertions.Expect(carol.Page.Locator("#venue-empty")).ToBeVisibleAsync();
        await carol.Page.Locator("#new-venue").GetByLabel("Name").FillAsync("Library <b>2</b>");
        await carol.Page.Locator("#new-venue").GetByLabel("Capacity").FillAsync("2");
        await carol.Page.Locator("#new-venue").GetByLabel("Time zone").FillAsync("UTC");
        await carol.Page.Locator("#new-venue").GetByLabel("Locations").FillAsync("desk");
        await carol.Page.Locator("#new-venue button[type=submit]").ClickAsync();
        await Assertions.Expect(carol.Page.Locator("#venues h1")).ToHaveTextAsync("Library <b>2</b>"); // text, not markup

        var kiosk = carol.Page.Locator("#kiosk");
        await kiosk.GetByLabel("Member").FillAsync("erin");
        await kiosk.Locator("#kiosk-in").ClickAsync();
        await Assertions.Expect(Counter(carol, "present")).ToHaveTextAsync("1");
        await kiosk.GetByLabel("Member").FillAsync("frank");
        await kiosk.Locator("#kiosk-in").ClickAsync();
        await Assertions.Expect(Counter(carol, "present")).ToHaveTextAsync("2");
        // Full (capacity 2): the server's reason reaches the staff as an error toast, nothing moves.
        await kiosk.GetByLabel("Member").FillAsync("gina");
        await kiosk.Locator("#kiosk-in").ClickAsync();
        await Assertions.Expect(carol.Page.Locator(".toast.error", new() { HasText = "full" })).ToHaveCountAsync(1);
        await kiosk.GetByLabel("Member").FillAsync("erin");
        await kiosk.Locator("#kiosk-out").ClickAsync();
        await Assertions.Expect(Counter(carol, "present")).ToHaveTextAsync("1");
        await Assertions.Expect(carol.Page.Locator("#venue-dashboard .feed-item").First).ToContainTextAsync("erin checked out");

        // A member has the dashboard and their own button, no kiosk and no venue form.
        await using var bob = await OpenVenuesAsync("bob");
        await Assertions.Expect(Counter(bob, "present")).ToHaveTextAsync("1");
        await Assertions.Expect(bob.Page.Locator("#kiosk")).ToHaveCountAsync(0);
        await Assertions.Expect(bob.Page.Locator("#new-venue")).ToHaveCountAsync(0);
        Assert.DoesNotContain(carol.UnexpectedErrors(), e => !e.Contains("409", StringComparison.Ordinal));
        Assert.Empty(bob.UnexpectedErrors());
    }

    [Theory]
    [InlineData(400)]
    [InlineData(1400)]
    public async Task The_dashboard_never_scrolls_sideways(int width)
    {
        await _server.PostAsKeyAsync("/api/venues", $$"""{"id":"wide","name":"{{new string('W', 150)}}","capacity":40,"timezone":"UTC","locations":["{{new string('p', 90)}}"]}""");
        await _server.PostAsKeyAsync("/api/venues/wide/checkins", $$"""{"user":"{{new string('u', 60)}}","location":"{{new string('p', 90)}}"}""");
        await using var alice = await OpenVenuesAsync("alice", admin: true, width: width);
        await Assertions.Expect(alice.Page.Locator("#venue-dashboard .feed-item")).ToHaveCountAsync(1);
        Assert.False(await alice.ScrollsSidewaysAsync("#venues"));
        await alice.ScreenshotAsync($"venues-{width}");
        Assert.Empty(alice.UnexpectedErrors());
    }

    public void Dispose() => _server.Dispose();
}
