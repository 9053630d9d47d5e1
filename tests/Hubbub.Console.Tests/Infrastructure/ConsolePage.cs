using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests.Infrastructure;

/// <summary>
/// One user's browser context on the console: fresh storage, page errors and console errors collected (a CSP
/// violation shows up there), helpers for signing in and screenshots.
/// </summary>
public sealed class ConsolePage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ITestOutputHelper _output;

    private ConsolePage(IBrowserContext context, IPage page, ITestOutputHelper output)
    {
        _context = context;
        Page = page;
        _output = output;
        page.PageError += (_, error) => Errors.Add($"page error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Errors.Add($"console error: {message.Text}");
            }
        };
        page.Dialog += (_, dialog) => Errors.Add($"dialog opened: {dialog.Message}");
    }

    public IPage Page { get; }

    /// <summary>Script errors, console errors and dialogs seen so far (none expected).</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Opens the console at <paramref name="address"/> (plus <paramref name="fragment"/>, e.g. <c>#/rooms</c>).</summary>
    /// <param name="prepare">Runs before the page loads: routes, WebSocket listeners.</param>
    public static async Task<ConsolePage> OpenAsync(BrowserFixture browser, Uri address, ITestOutputHelper output,
        int width = 1200, string fragment = "", Func<IPage, Task>? prepare = null)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 760 },
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        context.SetDefaultTimeout(15000);
        var page = await context.NewPageAsync();
        var console = new ConsolePage(context, page, output);
        if (prepare is not null)
        {
            await prepare(page);
        }
        await page.GotoAsync(address + fragment);
        return console;
    }

    /// <summary>Signs in through the Development user picker (as staff, role admin, when asked) and waits for the connection.</summary>
    public async Task SignInAsync(string user, bool admin = false)
    {
        if (admin)
        {
            await Page.Locator("#dev-admin").CheckAsync();
        }
        await Page.Locator($".user-choice[data-user='{user}']").ClickAsync();
        await Assertions.Expect(Page.Locator("#conn")).ToHaveAttributeAsync("data-state", "connected");
    }

    public async Task ScreenshotAsync(string name)
    {
        var path = Path.Combine(BrowserFixture.ScreenshotDirectory, $"{name}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        _output.WriteLine($"screenshot: {path}");
    }

    /// <summary>Errors except the network failures that a cut connection is expected to cause.</summary>
    /// <summary>
    /// Errors other than the network's own while a test cuts the connection: a request that failed below HTTP
    /// (<c>net::ERR_*</c>: refused, reset, emptied by a proxy cut mid-request) and a failed WebSocket are expected then;
    /// an HTTP error status, a script error or a CSP report is still unexpected.
    /// </summary>
    public IEnumerable<string> UnexpectedErrors() =>
        Errors.Where(e => !e.Contains("net::ERR_", StringComparison.Ordinal) && !e.Contains("WebSocket connection to", StringComparison.Ordinal));

    /// <summary>
    /// Whether the document is wider than the window, or the element <paramref name="selector"/> (a page's own scroll
    /// box) is wider than its box: a page that scrolls sideways either way.
    /// </summary>
    public Task<bool> ScrollsSidewaysAsync(string selector) => Page.EvaluateAsync<bool>(
        """
        (selector) => {
          const box = document.querySelector(selector);
          return document.documentElement.scrollWidth > window.innerWidth || (box !== null && box.scrollWidth > box.clientWidth + 1);
        }
        """, selector);

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
