using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Console.Tests.Infrastructure;

/// <summary>
/// The real Hubbub server, in-process on a real Kestrel socket at 127.0.0.1 (random port), with a temp data
/// directory. Development by default, so the console's user picker works as it does for a developer.
/// </summary>
public sealed class ConsoleServer : WebApplicationFactory<Program>
{
    /// <summary>The signing key used when the environment is not Development (which generates its own).</summary>
    public const string ProductionKey = "console-tests-signing-key-of-at-least-32-chars";

    private readonly string _environment;
    private readonly Dictionary<string, string?> _settings;
    private readonly string _dataDirectory;
    private readonly bool _ownsDataDirectory;
    private readonly FakeTimeProvider? _clock;

    /// <param name="environment">The ASP.NET Core environment.</param>
    /// <param name="settings">Configuration overrides.</param>
    /// <param name="dataDirectory">A data directory to reuse (kept on dispose), e.g. to restart a server on the same data.</param>
    /// <param name="clock">A fake clock for the server (its scheduler, tokens, periods): for what happens at a moment,
    /// such as a board's reset. The browser keeps its own real clock.</param>
    public ConsoleServer(string environment = "Development", Dictionary<string, string?>? settings = null, string? dataDirectory = null,
        FakeTimeProvider? clock = null)
    {
        _environment = environment;
        _clock = clock;
        _ownsDataDirectory = dataDirectory is null;
        _dataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("hubbub-console-").FullName;
        // The social feature's Development seed would put friends and posts into every test's fresh database: off
        // unless a test asks for it.
        _settings = new Dictionary<string, string?>(settings ?? []);
        _settings.TryAdd("Social:DevelopmentSeed", "false");
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First());
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public string DataDirectory => _dataDirectory;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        builder.UseSetting("Hubbub:DataDirectory", _dataDirectory);
        if (_environment != "Development")
        {
            builder.UseSetting("Auth:SigningKey", ProductionKey);
        }
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.SetMinimumLevel(LogLevel.Warning);
        });
        if (_clock is not null)
        {
            builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(_clock));
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Http.Dispose();
            if (!_ownsDataDirectory)
            {
                return;
            }
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a stopping server; the temp folder is cleaned by the OS.
            }
        }
    }
}
