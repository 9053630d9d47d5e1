using System.Text;
using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests;

/// <summary>
/// The HTTP fallback in a real Chromium through the JS SDK: behind a proxy that answers 403 to every WebSocket upgrade,
/// the console and its connection tester still connect, receive live events, publish and recover after a cut.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FallbackTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private const string ApiKey = "console-fallback-api-key";

    private readonly ConsoleServer _server = new(settings: new() { ["Auth:ApiKey"] = ApiKey });

    [Fact]
    public async Task A_page_whose_websocket_upgrade_is_refused_gets_live_events_publishes_and_recovers_after_a_cut()
    {
        await using var proxy = new LoopbackProxy(_server.BaseAddress) { RefuseWebSocketUpgrades = true };
        await using var alice = await ConsolePage.OpenAsync(browser, proxy.Address, output);
        var page = alice.Page;
        await alice.SignInAsync("alice"); // the console's own connection falls back on its own
        Assert.True(proxy.RefusedUpgrades >= 1, "the proxy refused no upgrade");

        await page.Locator("nav a[data-page=tester]").ClickAsync();
        await page.Locator("#connect").ClickAsync();
        await Assertions.Expect(page.Locator("#tester-state")).ToHaveTextAsync("connected");
        await Assertions.Expect(page.Locator("#tester-transport-used")).ToHaveTextAsync("sse");

        var channel = $"public:fallback-{Guid.NewGuid():N}";
        await page.Locator("#subscribe-form input").FillAsync(channel);
        await page.Locator("#subscribe").ClickAsync();
        await Assertions.Expect(page.Locator($"#subscriptions li[data-channel='{channel}'] .pill")).ToHaveTextAsync("subscribed @0");

        // Publishes from the page...
        await page.Locator("#publish-form input").FillAsync(channel);
        await page.Locator("#publish-form textarea").FillAsync("""{"text":"from the page"}""");
        await page.Locator("#publish").ClickAsync();
        await Assertions.Expect(page.Locator("#publish-result")).ToHaveTextAsync("published at offset 1");
        // ...and receives live events, its own and a backend's.
        await PublishFromBackendAsync(channel, "live from the backend");
        var received = page.Locator("#received li");
        await Assertions.Expect(received).ToHaveCountAsync(2);
        await Assertions.Expect(received.First).ToContainTextAsync("live from the backend");

        // Cut every connection and keep the network down while two more are published: the page missed them.
        proxy.Drop(refuse: true);
        await Assertions.Expect(page.Locator("#tester-state")).Not.ToHaveTextAsync("connected");
        await PublishFromBackendAsync(channel, "missed one");
        await PublishFromBackendAsync(channel, "missed two");
        proxy.Restore();

        // The SDK reconnects over the fallback and recovers them with since: no gap, no duplicate.
        await Assertions.Expect(page.Locator("#tester-state")).ToHaveTextAsync("connected", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#tester-transport-used")).ToHaveTextAsync("sse");
        await Assertions.Expect(received).ToHaveCountAsync(4);
        var texts = await received.AllInnerTextsAsync();
        Assert.Matches("#4 .*missed two", texts[0]);
        Assert.Matches("#3 .*missed one", texts[1]);
        Assert.Matches("#2 .*live from the backend", texts[2]);
        Assert.Matches("#1 .*from the page", texts[3]);
        await PublishFromBackendAsync(channel, "after the cut");
        await Assertions.Expect(received.First).ToContainTextAsync("after the cut");
        await Assertions.Expect(page.Locator("#conn")).ToHaveAttributeAsync("data-state", "connected");
        await alice.ScreenshotAsync("tester-fallback");
        Assert.Empty(alice.UnexpectedErrors());
    }

    [Fact]
    public async Task The_tester_can_force_the_fallback_where_websockets_work()
    {
        await using var alice = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await alice.SignInAsync("alice");
        var page = alice.Page;
        await page.Locator("nav a[data-page=tester]").ClickAsync();
        await page.Locator("#tester-transport").SelectOptionAsync("sse");
        await page.Locator("#connect").ClickAsync();
        await Assertions.Expect(page.Locator("#tester-state")).ToHaveTextAsync("connected");
        await Assertions.Expect(page.Locator("#tester-transport-used")).ToHaveTextAsync("sse");
        await page.Locator("#ping").ClickAsync();
        await Assertions.Expect(page.Locator("#ping-result")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^pong in \d+ ms$"));

        await page.Locator("#tester-transport").SelectOptionAsync("websocket");
        await page.Locator("#connect").ClickAsync();
        await Assertions.Expect(page.Locator("#tester-transport-used")).ToHaveTextAsync("websocket");
        await Assertions.Expect(page.Locator("#tester-state")).ToHaveTextAsync("connected");
        Assert.Empty(alice.UnexpectedErrors());
    }

    private async Task PublishFromBackendAsync(string channel, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish")
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new { channel, data = new { text } }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Api-Key", ApiKey);
        using var response = await _server.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => _server.Dispose();
}
