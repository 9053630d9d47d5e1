using Hubbub.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests;

/// <summary>Sign-in (picker and pasted token) and the connection tester, in a real Chromium.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SignInAndTesterTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private readonly ConsoleServer _server = new();

    [Fact]
    public async Task Picker_signs_in_keeps_the_token_per_tab_and_signs_out()
    {
        await using var alice = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        var page = alice.Page;
        await Assertions.Expect(page.Locator(".user-choice")).ToHaveCountAsync(4);
        await alice.ScreenshotAsync("signin-picker");
        await alice.SignInAsync("alice");
        await Assertions.Expect(page.Locator("#me")).ToHaveTextAsync("Alice (alice)");
        await Assertions.Expect(page.Locator("#conn-text")).ToHaveTextAsync("connected");

        var stored = await page.EvaluateAsync<string?>("() => sessionStorage.getItem('hubbub.console.token')");
        Assert.False(string.IsNullOrEmpty(stored));
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('hubbub.console.token')"));

        // A reload keeps the session (same tab); signing out forgets it.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#conn")).ToHaveAttributeAsync("data-state", "connected");
        await page.Locator("#signout").ClickAsync();
        await Assertions.Expect(page.Locator(".user-choice").First).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('hubbub.console.token')"));
        Assert.Empty(alice.UnexpectedErrors());
    }

    [Fact]
    public async Task A_custom_user_and_a_pasted_token_sign_in()
    {
        await using var first = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await first.Page.Locator("#dev-custom input[name=user]").FillAsync("erin-42");
        await first.Page.Locator("#dev-custom input[name=name]").FillAsync("Erin <b>bold</b>");
        await first.Page.Locator("#dev-custom button").ClickAsync();
        await Assertions.Expect(first.Page.Locator("#conn")).ToHaveAttributeAsync("data-state", "connected");
        await Assertions.Expect(first.Page.Locator("#me")).ToHaveTextAsync("Erin <b>bold</b> (erin-42)");
        var token = await first.Page.EvaluateAsync<string>("() => sessionStorage.getItem('hubbub.console.token')");

        await using var second = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await second.Page.Locator("#token-form textarea").FillAsync("not a token");
        await second.Page.Locator("#token-form button").ClickAsync();
        await Assertions.Expect(second.Page.Locator(".toast.error")).ToContainTextAsync("not a valid");
        await second.Page.Locator("#token-form textarea").FillAsync(token);
        await second.Page.Locator("#token-form button").ClickAsync();
        await Assertions.Expect(second.Page.Locator("#conn")).ToHaveAttributeAsync("data-state", "connected");
        await Assertions.Expect(second.Page.Locator("#me")).ToHaveTextAsync("Erin <b>bold</b> (erin-42)");
        Assert.Empty(first.UnexpectedErrors());
        Assert.Empty(second.UnexpectedErrors());
    }

    [Fact]
    public async Task A_token_the_server_refuses_signs_out_with_an_error()
    {
        await using var first = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await first.SignInAsync("alice");
        var token = await first.Page.EvaluateAsync<string>("() => sessionStorage.getItem('hubbub.console.token')");
        var forged = token[..token.LastIndexOf('.')] + ".c2lnbmVkIHdpdGggYW5vdGhlciBrZXk"; // readable claims, wrong signature

        await using var second = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await second.Page.Locator("#token-form textarea").FillAsync(forged);
        await second.Page.Locator("#token-form button").ClickAsync();
        await Assertions.Expect(second.Page.Locator(".toast.error", new() { HasText = "refused this token" })).ToHaveCountAsync(1);
        await Assertions.Expect(second.Page.Locator("#token-form")).ToBeVisibleAsync();
        Assert.Null(await second.Page.EvaluateAsync<string?>("() => sessionStorage.getItem('hubbub.console.token')"));
    }

    [Fact]
    public async Task Outside_development_only_the_token_form_is_offered()
    {
        using var production = new ConsoleServer("Production");
        await using var visitor = await ConsolePage.OpenAsync(browser, production.BaseAddress, output);
        await Assertions.Expect(visitor.Page.Locator("#token-form")).ToBeVisibleAsync();
        await Assertions.Expect(visitor.Page.Locator(".user-choice")).ToHaveCountAsync(0);
        await visitor.ScreenshotAsync("signin-production");
    }

    [Fact]
    public async Task Tester_connects_pings_echoes_subscribes_publishes_and_logs_frames()
    {
        await using var alice = await ConsolePage.OpenAsync(browser, _server.BaseAddress, output);
        await alice.SignInAsync("alice");
        var page = alice.Page;
        await page.Locator("nav a[data-page=tester]").ClickAsync();
        await page.Locator("#connect").ClickAsync();
        await Assertions.Expect(page.Locator("#tester-state")).ToHaveTextAsync("connected");
        await Assertions.Expect(page.Locator("#frame-log .frame.in").First).ToContainTextAsync("\"type\":\"welcome\"");

        await page.Locator("#ping").ClickAsync();
        await Assertions.Expect(page.Locator("#ping-result")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^pong in \d+ ms$"));

        await page.Locator("#echo-form input").FillAsync("echo <i>me</i>");
        await page.Locator("#echo").ClickAsync();
        await Assertions.Expect(page.Locator("#echo-result")).ToHaveTextAsync("echoed: echo <i>me</i>");

        await page.Locator("#subscribe-form input").FillAsync("public:console-test");
        await page.Locator("#subscribe").ClickAsync();
        await Assertions.Expect(page.Locator("#subscriptions li[data-channel='public:console-test'] .pill")).ToHaveTextAsync("subscribed @0");

        await page.Locator("#publish-form input").FillAsync("public:console-test");
        await page.Locator("#publish-form textarea").FillAsync("""{"text":"hi from the tester"}""");
        await page.Locator("#publish").ClickAsync();
        await Assertions.Expect(page.Locator("#publish-result")).ToHaveTextAsync("published at offset 1");
        await Assertions.Expect(page.Locator("#received li").First).ToContainTextAsync("hi from the tester");

        // The raw log shows both directions, including the publish frame out and the message in.
        await Assertions.Expect(page.Locator("#frame-log .frame.out", new() { HasText = "\"type\":\"publish\"" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#frame-log .frame.in", new() { HasText = "\"type\":\"message\"" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#frame-log .frame.in", new() { HasText = "\"type\":\"pong\"" })).ToHaveCountAsync(2);

        // A refused publish shows the server's code.
        await page.Locator("#publish-form input").FillAsync("user:someone-else");
        await page.Locator("#publish").ClickAsync();
        await Assertions.Expect(page.Locator("#publish-result")).ToHaveTextAsync("refused: forbidden");
        await alice.ScreenshotAsync("tester");

        await page.Locator("#disconnect").ClickAsync();
        await Assertions.Expect(page.Locator("#tester-state")).ToHaveTextAsync("closed");
        // The console's own connection is separate and stays up.
        await Assertions.Expect(page.Locator("#conn")).ToHaveAttributeAsync("data-state", "connected");
        Assert.Empty(alice.UnexpectedErrors());
    }

    public void Dispose() => _server.Dispose();
}
