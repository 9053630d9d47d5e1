using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Testing;

/// <summary>
/// A real Hubbub server on a real Kestrel socket at 127.0.0.1 (random port), in Production mode with test
/// keys. Settings override configuration; a <see cref="FakeTimeProvider"/> can replace the clock.
/// </summary>
public sealed class TestServer : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-api-key";
    private readonly Dictionary<string, string?> _settings;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("hubbub-test-").FullName;

    private readonly Action<IServiceCollection>? _configureServices;

    public TestServer(Dictionary<string, string?>? settings = null, FakeTimeProvider? clock = null,
        Action<IServiceCollection>? configureServices = null)
    {
        Clock = clock;
        _configureServices = configureServices;
        _settings = new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = TestTokens.Key,
            ["Auth:ApiKey"] = ApiKey,
            ["Hubbub:DataDirectory"] = _dataDirectory,
        };
        foreach (var (k, v) in settings ?? [])
        {
            _settings[k] = v;
        }
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First());
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public FakeTimeProvider? Clock { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    /// <summary>Every log line the server wrote, for asserting what is (never) logged.</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    public Uri WebSocketUri(string? token = null)
    {
        var b = new UriBuilder(BaseAddress) { Scheme = "ws", Path = "/ws" };
        if (token is not null)
        {
            b.Query = "access_token=" + Uri.EscapeDataString(token);
        }
        return b.Uri;
    }

    public Task<WsClient> ConnectAsync(string user, string? name = null, string[]? roles = null) =>
        WsClient.ConnectAsync(WebSocketUri(TestTokens.For(user, name, roles)));

    /// <summary>Publishes through the server API.</summary>
    public async Task<HttpResponseMessage> PublishAsync(string json, string? apiKey = ApiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }
        return await Http.SendAsync(request);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }
        builder.ConfigureLogging(logging =>
        {
            logging.ClearProviders(); // the collected lines are what tests read; the console stays quiet
            logging.SetMinimumLevel(LogLevel.Debug);
            logging.AddProvider(new CollectingLoggerProvider(Logs));
        });
        builder.ConfigureServices(services =>
        {
            if (Clock is not null)
            {
                services.AddSingleton<TimeProvider>(Clock);
            }
            _configureServices?.Invoke(services);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Http.Dispose();
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

    private sealed class CollectingLoggerProvider(ConcurrentQueue<string> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CollectingLogger(categoryName, sink);

        public void Dispose()
        {
        }
    }

    private sealed class CollectingLogger(string category, ConcurrentQueue<string> sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel} {category}: {formatter(state, exception)} {exception}";
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                line += " " + string.Join(" ", values.Select(kv => $"{kv.Key}={kv.Value}"));
            }
            sink.Enqueue(line);
        }
    }
}
