using System.Text.Json;
using Hubbub.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hubbub.Server.Tests.Hosting;

/// <summary>
/// Logging scopes (Kestrel's connection id, held by every connection for its life) are captured only when a log line
/// can show them: the server's console formatters print none by default, so none is kept; asked to print them, the
/// console prints them as before; a provider of the application's own gets them too.
/// </summary>
public sealed class LoggingScopeTests : IDisposable
{
    private const string KestrelConnections = "Microsoft.AspNetCore.Server.Kestrel.Connections";
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("hubbub-scopes-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory]
    [InlineData(null)]
    [InlineData("json")]
    [InlineData("simple")]
    [InlineData("systemd")]
    public async Task No_scope_is_kept_while_the_console_formatter_prints_none(string? formatter)
    {
        await using var app = Build(new() { ["Logging:Console:FormatterName"] = formatter });
        Assert.False(CapturesScopes(app));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("json")]
    [InlineData("simple")]
    [InlineData("systemd")]
    [InlineData("JSON")]
    public async Task Scopes_are_kept_when_the_console_formatter_prints_them(string? formatter)
    {
        await using var app = Build(new()
        {
            ["Logging:Console:FormatterName"] = formatter,
            ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
        });
        Assert.True(CapturesScopes(app));
    }

    [Fact]
    public async Task Scopes_are_kept_for_a_formatter_or_a_provider_of_the_applications_own()
    {
        await using (var app = Build(new() { ["Logging:Console:FormatterName"] = "custom" }))
        {
            Assert.True(CapturesScopes(app));
        }
        await using (var app = Build(new() { ["Logging:Console:FormatterName"] = "json" }, b => b.Logging.AddProvider(new ScopePrintingProvider())))
        {
            Assert.True(CapturesScopes(app));
        }
    }

    [Fact]
    public async Task The_servers_json_log_lines_are_as_before_and_print_the_connection_scope_when_asked()
    {
        // The server's own appsettings.json chooses the json formatter (a null value unsets the tests' "simple").
        var quiet = await ConnectionOpenedLineAsync(new() { ["Logging__Console__FormatterName"] = null });
        Assert.Equal("Debug", quiet.GetProperty("LogLevel").GetString());
        Assert.False(quiet.TryGetProperty("Scopes", out _), quiet.GetRawText());

        var scoped = await ConnectionOpenedLineAsync(new()
        {
            ["Logging__Console__FormatterName"] = null,
            ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
        });
        var scope = Assert.Single(scoped.GetProperty("Scopes").EnumerateArray()); // Kestrel's, around the whole connection
        Assert.StartsWith("ConnectionId:", scope.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.NotEqual("", scope.GetProperty("ConnectionId").GetString());
    }

    private WebApplication Build(Dictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = _folder.FullName, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration["Auth:SigningKey"] = ServerProcess.SigningKey;
        builder.Configuration["Hubbub:DataDirectory"] = Path.Combine(_folder.FullName, "data");
        builder.AddHubbubServer();
        configure?.Invoke(builder);
        return builder.Build();
    }

    /// <summary>Without captured scopes every BeginScope answers the same do-nothing scope; with them, a new scope each time.</summary>
    private static bool CapturesScopes(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(KestrelConnections);
        using var first = logger.BeginScope("first");
        using var second = logger.BeginScope("second");
        return !ReferenceEquals(first, second);
    }

    /// <summary>The JSON line the engine logs (at Debug), inside Kestrel's connection scope, when a WebSocket client's connection opens.</summary>
    private async Task<JsonElement> ConnectionOpenedLineAsync(Dictionary<string, string?> environment)
    {
        environment["Logging__LogLevel__Hubbub"] = "Debug";
        await using var server = await ServerProcess.StartOnLoopbackAsync(_folder.FullName, ServerStorage.Sqlite, environment);
        await using (var client = await WsClient.ConnectAsync(server.Port, "42", ServerProcess.SigningKey))
        {
            for (var i = 0; i < 100; i++) // the console logger writes on its own thread: bounded wait for the line
            {
                foreach (var line in server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')))
                {
                    using var json = JsonDocument.Parse(line);
                    if (json.RootElement.GetProperty("Message").GetString()!.EndsWith(" opened for user 42", StringComparison.Ordinal))
                    {
                        return json.RootElement.Clone();
                    }
                }
                await Task.Delay(50);
            }
        }
        throw new Xunit.Sdk.XunitException("no connection-opened line in the server's output:\n" + server.Output);
    }

    private sealed class ScopePrintingProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ScopeLogger();

        public void Dispose()
        {
        }

        private sealed class ScopeLogger : ILogger
        {
            public IDisposable BeginScope<TState>(TState state) where TState : notnull => new Scope();

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
            }

            private sealed class Scope : IDisposable
            {
                public void Dispose()
                {
                }
            }
        }
    }
}
