using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests.FeaturePages;

/// <summary>The auction house (issue 19) in a real Chromium: lobby, live price and bids, outbid toast, wallet, seller form.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AuctionsPageTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private readonly ConsoleServer _server = ServerCalls.Start();

    private async Task<string> SetUpAsync()
    {
        await _server.PostAsKeyAsync("/api/wallet/grants", """{"id":"g-alice","user":"alice","currency":"coins","amount":500}""");
        await _server.PostAsKeyAsync("/api/wallet/grants", """{"id":"g-bob","user":"bob","currency":"coins","amount":500}""");
        var endsAt = DateTimeOffset.UtcNow.AddMinutes(30).ToString("O");
        var auction = await _server.PostAsKeyAsync("/api/auctions",
            $$"""{"seller":"carol","title":"Signed poster","currency":"coins","starting_bid":100,"min_increment":10,"ends_at":"{{endsAt}}"}""");
        return auction.GetProperty("id").GetString()!;
    }

    private async Task<ConsolePage> OpenAsync(string user, int width = 1200, bool admin = false)
    {
        var page = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output, width: width, fragment: "#/auctions");
        await page.SignInAsync(user, admin);
        await Assertions.Expect(page.Page.Locator("#wallet")).ToBeVisibleAsync();
        return page;
    }

    [Fact]
    public async Task Two_bidders_see_the_price_and_bids_move_live_the_loser_gets_the_outbid_toast_and_holds_follow()
    {
        var id = await SetUpAsync();
        await using var alice = await OpenAsync("alice");
        await using var bob = await OpenAsync("bob");
        await Assertions.Expect(alice.Page.Locator("#wallet [data-currency=coins]")).ToHaveAttributeAsync("data-available", "500");
        await alice.Page.Locator($"#lobby [data-auction='{id}']").ClickAsync();
        await bob.Page.Locator($"#lobby [data-auction='{id}']").ClickAsync();
        await Assertions.Expect(alice.Page.Locator("#bid")).ToHaveTextAsync("Bid 100");
        await Assertions.Expect(alice.Page.Locator("#ends")).ToContainTextAsync("left");

        // Alice bids the minimum: both pages show the price and her bid; her coins are held.
        await alice.Page.Locator("#bid").ClickAsync();
        await Assertions.Expect(bob.Page.Locator("#price")).ToHaveAttributeAsync("data-price", "100");
        await Assertions.Expect(bob.Page.Locator("#auction .feed-item").First).ToContainTextAsync("Alice bid 100");
        await Assertions.Expect(bob.Page.Locator("#bid")).ToHaveTextAsync("Bid 110");
        await Assertions.Expect(alice.Page.Locator("#wallet [data-currency=coins]")).ToHaveAttributeAsync("data-held", "100");
        await Assertions.Expect(alice.Page.Locator("#leader")).ToContainTextAsync("leading: you");

        // Bob outbids her: Alice gets the outbid toast, the new price, and her hold back.
        await bob.Page.Locator("#bid").ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".toast.warn", new() { HasText = "Outbid on Signed poster: now 110 coins" })).ToHaveCountAsync(1);
        await Assertions.Expect(alice.Page.Locator("#price")).ToHaveAttributeAsync("data-price", "110");
        await Assertions.Expect(alice.Page.Locator($"#lobby [data-auction='{id}']")).ToContainTextAsync("110 coins");
        await Assertions.Expect(alice.Page.Locator("#auction .feed-item")).ToHaveCountAsync(2);
        await Assertions.Expect(alice.Page.Locator("#wallet [data-currency=coins]")).ToHaveAttributeAsync("data-held", "0");
        await Assertions.Expect(bob.Page.Locator("#wallet [data-currency=coins]")).ToHaveAttributeAsync("data-available", "390");

        // A bid below the minimum is refused with the server's reason, and nothing moves.
        await alice.Page.Locator("#bid-form input").FillAsync("111");
        await alice.Page.Locator("#bid").ClickAsync();
        await Assertions.Expect(alice.Page.Locator(".toast.error", new() { HasText = "at least 120" })).ToHaveCountAsync(1);
        await Assertions.Expect(bob.Page.Locator("#price")).ToHaveAttributeAsync("data-price", "110");
        await alice.ScreenshotAsync("auctions-alice");
        Assert.Empty(alice.UnexpectedErrors());
        Assert.Empty(bob.UnexpectedErrors());
    }

    [Fact]
    public async Task A_seller_starts_an_auction_from_the_form_and_it_appears_in_another_lobby_live()
    {
        await using var bob = await OpenAsync("bob");
        await Assertions.Expect(bob.Page.Locator("#lobby .empty")).ToBeVisibleAsync();
        await using var alice = await OpenAsync("alice");
        var form = alice.Page.Locator("#new-auction");
        await form.GetByLabel("Title").FillAsync("Lamp <script>x</script>");
        await form.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(alice.Page.Locator("#auction h2")).ToHaveTextAsync("Lamp <script>x</script>");
        await Assertions.Expect(alice.Page.Locator("#auction-status")).ToHaveTextAsync("Your auction.");
        await Assertions.Expect(bob.Page.Locator("#lobby .auction-card")).ToHaveCountAsync(1);
        await Assertions.Expect(bob.Page.Locator("#lobby .auction-card strong")).ToHaveTextAsync("Lamp <script>x</script>");
        // Bob has no coins: his bid is refused with the reason.
        await bob.Page.Locator("#lobby .auction-card").ClickAsync();
        await bob.Page.Locator("#bid").ClickAsync();
        await Assertions.Expect(bob.Page.Locator(".toast.error", new() { HasText = "coins" })).ToHaveCountAsync(1);
        Assert.Empty(alice.UnexpectedErrors());
        Assert.Empty(bob.UnexpectedErrors());
    }

    [Theory]
    [InlineData(400)]
    [InlineData(1400)]
    public async Task The_page_never_scrolls_sideways(int width)
    {
        var id = await SetUpAsync();
        await _server.PostAsKeyAsync("/api/auctions",
            $$"""{"seller":"carol","title":"{{new string('T', 190)}}","currency":"coins","starting_bid":100,"min_increment":10,"ends_at":"{{DateTimeOffset.UtcNow.AddMinutes(20):O}}"}""");
        await using var alice = await OpenAsync("alice", width, admin: true);
        await alice.Page.Locator($"#lobby [data-auction='{id}']").ClickAsync();
        await alice.Page.Locator("#bid").ClickAsync();
        await Assertions.Expect(alice.Page.Locator("#auction .feed-item")).ToHaveCountAsync(1);
        Assert.False(await alice.ScrollsSidewaysAsync("#auctions"));
        await alice.ScreenshotAsync($"auctions-{width}");
        Assert.Empty(alice.UnexpectedErrors());
    }

    public void Dispose() => _server.Dispose();
}
