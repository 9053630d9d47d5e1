using System.Diagnostics;
using System.Text;
using Hubbub.Console.Tests.Infrastructure;

namespace Hubbub.Console.Tests.Examples;

/// <summary>
/// One of examples/ run as its README says: the real server (in-process Kestrel on 127.0.0.1, Production, the example's
/// rules file named in configuration) and the example's Node backend as a child process talking to it over loopback
/// with the API key and signing key. Disposing kills the backend and stops the server.
/// </summary>
public sealed class ExampleApp : IAsyncDisposable
{
    public const string ApiKey = "examples-api-key-0123456789";

    private readonly Process _backend;
    private readonly StringBuilder _output = new();

    private ExampleApp(ConsoleServer server, Process backend, Uri address)
    {
        Server = server;
        _backend = backend;
        Address = address;
    }

    public ConsoleServer Server { get; }

    /// <summary>The example's page as <paramref name="user"/> sees it, once it has loaded and connected.</summary>
    public async Task<ConsolePage> OpenPageAsync(BrowserFixture browser, string user, Xunit.Abstractions.ITestOutputHelper output)
    {
        var page = await ConsolePage.OpenAsync(browser, Address, output, fragment: $"?user={user}");
        await Microsoft.Playwright.Assertions.Expect(page.Page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await Microsoft.Playwright.Assertions.Expect(page.Page.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected");
        return page;
    }

    /// <summary>The page's toasts that say <paramref name="text"/>.</summary>
    public static Microsoft.Playwright.ILocator Toast(ConsolePage page, string text) =>
        page.Page.Locator(".toast", new() { HasText = text });

    /// <summary>The backend's address (it serves the example's page).</summary>
    public Uri Address { get; }

    /// <summary>The repository's root (where Hubbub.slnx is).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>
    /// Starts the server with the example's rules file (examples/<paramref name="example"/>/rules.json, named in
    /// configuration as its README does) and its backend examples/<paramref name="example"/>/server.mjs.
    /// </summary>
    public static async Task<ExampleApp> StartAsync(string example)
    {
        var folder = Path.Combine(RepositoryRoot, "examples", example);
        var settings = new Dictionary<string, string?> { ["Gamification:RulesFile"] = Path.Combine(folder, "rules.json") };
        var port = LoopbackPort.Free();
        var origin = $"http://127.0.0.1:{port}";
        settings["Auth:ApiKey"] = ApiKey;
        settings["Auth:AllowedOrigins:0"] = origin;
        var server = new ConsoleServer("Production", settings);
        var start = new ProcessStartInfo("node", [Path.Combine(folder, "server.mjs")])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["HUBBUB_URL"] = server.BaseAddress.ToString().TrimEnd('/');
        start.Environment["HUBBUB_API_KEY"] = ApiKey;
        start.Environment["HUBBUB_SIGNING_KEY"] = ConsoleServer.ProductionKey;
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var backend = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var app = new ExampleApp(server, backend, new Uri(origin + "/"));
        var listening = new TaskCompletionSource();
        backend.OutputDataReceived += (_, e) => app.Append(e.Data, listening);
        backend.ErrorDataReceived += (_, e) => app.Append(e.Data, null);
        backend.BeginOutputReadLine();
        backend.BeginErrorReadLine();
        var exited = backend.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != listening.Task)
        {
            var output = app.Output;
            await app.DisposeAsync();
            throw new InvalidOperationException($"the {example} backend did not start:\n{output}");
        }
        return app;
    }

    /// <summary>What the backend printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>POSTs JSON to the backend, as the app's own clients do; fails the test unless it succeeds.</summary>
    public async Task<string> PostAsync(string path, string json)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} → {(int)response.StatusCode} {body}\n{Output}");
        return body;
    }

    private void Append(string? line, TaskCompletionSource? listening)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        if (line.Contains(" app on http://", StringComparison.Ordinal))
        {
            listening?.TrySetResult();
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hubbub.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Hubbub.slnx not found above " + AppContext.BaseDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_backend.HasExited)
        {
            _backend.Kill(entireProcessTree: true);
            await _backend.WaitForExitAsync();
        }
        _backend.Dispose();
        Server.Dispose();
    }
}
