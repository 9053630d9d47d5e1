using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Hubbub.Console.Tests.Infrastructure;

/// <summary>
/// One headless Debian Chromium (HUBBUB_CHROMIUM, default /usr/bin/chromium) for the whole suite, driven by
/// Playwright's bundled driver: no browser download. Background networking is off so Chromium does not
/// flood the closed network.
/// </summary>
public sealed class BrowserFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: HUBBUB_SCREENSHOTS, or "screenshots" beside the test assembly.</summary>
    public static string ScreenshotDirectory { get; } = Directory.CreateDirectory(
        Environment.GetEnvironmentVariable("HUBBUB_SCREENSHOTS") is { Length: > 0 } dir ? dir : Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        // Two shared cores run several suites at once: give page assertions the same slack as actions.
        Assertions.SetDefaultExpectTimeout(15000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("HUBBUB_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        // Diagnostic messages reach the test command's console output (diagnosticMessages in xunit.runner.json).
        var count = Directory.GetFiles(ScreenshotDirectory, "*.png").Length;
        diagnostics.OnMessage(new Xunit.Sdk.DiagnosticMessage($"console screenshots ({count}): {ScreenshotDirectory}"));
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
