using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests;

/// <summary>The operator's page (staff only), on the admin API: in a real Chromium, with a second browser as the user watched.</summary>
[Collection(BrowserCollection.Name)]
public sealed class OperatorPageTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private readonly ConsoleServer _server = new();

    private static ILocator Operator(ConsolePage p) => p.Page.Locator("#page-operator");

    [Theory]
    [InlineData(400)]
    [InlineData(1400)]
    public async Task A_second_browser_appears_its_channel_is_inspected_a_server_publication_reaches_it_and_it_is_disconnected(int width)
    {
        // A long unbroken channel name: the lists, the inspector and the history must wrap it, not scroll sideways.
        var channel = "public:ops-" + new string('x', 150);
        await using var staff = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output, width);
        await using var bob = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await staff.SignInAsync("alice", admin: true);
        await bob.SignInAsync("bob");

        // Bob is a member: no operator page for him, not even by its address.
        await Assertions.Expect(bob.Page.Locator("nav a[data-page=operator]")).ToHaveCountAsync(0);
        await bob.Page.GotoAsync(_server.BaseAddress + "#/operator");
        await Assertions.Expect(bob.Page.Locator("#page-chat")).ToBeVisibleAsync();
        await Assertions.Expect(bob.Page.Locator("#page-operator")).ToHaveCountAsync(0);

        // Bob's tester connection subscribes to the channel.
        await bob.Page.Locator("nav a[data-page=tester]").ClickAsync();
        await bob.Page.Locator("#connect").ClickAsync();
        await Assertions.Expect(bob.Page.Locator("#tester-state")).ToHaveTextAsync("connected");
        await bob.Page.Locator("#subscribe-form input").FillAsync(channel);
        await bob.Page.Locator("#subscribe").ClickAsync();
        await Assertions.Expect(bob.Page.Locator($"#subscriptions li[data-channel='{channel}'] .pill")).ToHaveTextAsync("subscribed @0");

        // The operator sees Bob's two connections (the console's and the tester's) and his channels, live.
        await staff.Page.Locator("nav a[data-page=operator]").ClickAsync();
        var page = Operator(staff);
        await Assertions.Expect(page.Locator(".op-client[data-user=bob]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".op-client[data-user=bob]").First).ToContainTextAsync("Bob");
        await Assertions.Expect(page.Locator("[data-counter=nodes] .counter-value")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator($".op-channel[data-channel='{channel}'] .badge")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator(".op-channel[data-channel='user:bob']")).ToHaveCountAsync(1);

        // The prefix narrows the list.
        await page.GetByLabel("Channel prefix").FillAsync("public:ops-");
        await Assertions.Expect(page.Locator(".op-channel")).ToHaveCountAsync(1);

        // Publish as the server: it reaches Bob's tester, and the inspector shows it in the history.
        await page.Locator(".op-channel").First.ClickAsync();
        await Assertions.Expect(page.Locator("#op-inspect-subscribers")).ToHaveTextAsync("1 subscriber");
        await Assertions.Expect(page.Locator("#op-inspector")).ToContainTextAsync("No history.");
        await page.GetByLabel("Channel", new() { Exact = true }).FillAsync(channel);
        await page.GetByLabel("Event type", new() { Exact = true }).FillAsync("notice");
        await page.GetByLabel("Data (JSON)", new() { Exact = true }).FillAsync("""{"text":"maintenance <b>at</b> 5"}""");
        await page.Locator("#op-publish").ClickAsync();
        await Assertions.Expect(page.Locator("#op-publish-result")).ToHaveTextAsync("published at offset 1");
        await Assertions.Expect(bob.Page.Locator("#received li").First).ToContainTextAsync("maintenance <b>at</b> 5");
        var published = page.Locator("#op-history li[data-offset='1']");
        await Assertions.Expect(published).ToContainTextAsync("notice");
        await Assertions.Expect(published).ToContainTextAsync("server");
        await Assertions.Expect(published).ToContainTextAsync("maintenance <b>at</b> 5");

        // Bad data is refused on the page, a bad channel by the server (its message in a toast).
        await page.GetByLabel("Data (JSON)", new() { Exact = true }).FillAsync("{not json");
        await page.Locator("#op-publish").ClickAsync();
        await Assertions.Expect(staff.Page.Locator(".toast.error", new() { HasText = "not valid JSON" })).ToHaveCountAsync(1);
        await page.GetByLabel("Data (JSON)", new() { Exact = true }).FillAsync("{}");
        await page.GetByLabel("Channel", new() { Exact = true }).FillAsync("nosuchns:x");
        await page.Locator("#op-publish").ClickAsync();
        await Assertions.Expect(staff.Page.Locator(".toast.error", new() { HasText = "'nosuchns' does not exist" })).ToHaveCountAsync(1);

        Assert.False(await staff.ScrollsSidewaysAsync("#page-operator .feature-page"), "the operator page scrolls sideways");
        await staff.ScreenshotAsync($"operator-{width}");

        // Disconnect Bob: both his connections close, his console says offline, and he leaves the list.
        await page.Locator(".op-client[data-user=bob] button", new() { HasText = "Disconnect" }).First.ClickAsync();
        await Assertions.Expect(staff.Page.Locator(".toast.success", new() { HasText = "bob: 2 connections closed" })).ToHaveCountAsync(1);
        await Assertions.Expect(bob.Page.Locator("#conn")).ToHaveAttributeAsync("data-state", "offline");
        await Assertions.Expect(bob.Page.Locator("#tester-state")).Not.ToHaveTextAsync("connected");
        await Assertions.Expect(page.Locator(".op-client[data-user=bob]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".op-client[data-user=alice]").First).ToBeVisibleAsync();

        Assert.False(await staff.ScrollsSidewaysAsync("#page-operator .feature-page"), "the operator page scrolls sideways");
        // The refused publish above is a 404 the browser logs; nothing else may appear.
        Assert.DoesNotContain(staff.UnexpectedErrors(), e => !e.Contains("status of 404", StringComparison.Ordinal));
        Assert.Empty(bob.UnexpectedErrors());
    }

    public void Dispose() => _server.Dispose();
}
