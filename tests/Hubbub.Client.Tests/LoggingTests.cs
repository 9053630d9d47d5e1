using Hubbub.Client.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Hubbub.Client.Tests;

public sealed class LoggingTests
{
    private sealed class CapturingProvider : ILoggerProvider, ILogger
    {
        public List<(string Category, LogLevel Level, EventId Id, string Message)> Entries { get; } = [];
        private string _category = "";

        public ILogger CreateLogger(string categoryName)
        {
            _category = categoryName;
            return this;
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((_category, logLevel, eventId, formatter(state, exception) + exception));
            }
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task Connection_events_are_logged_through_the_logger_factory_and_never_carry_the_token()
    {
        await using var server = ServerHost.Start();
        await using var proxy = new LoopbackProxy(server.Port);
        var provider = new CapturingProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Trace));
        var token = ServerHost.Token("42");
        await using var client = await Clients.ConnectedAsync(proxy.WsUrl, "42", o =>
        {
            o.Token = token;
            o.LoggerFactory = factory;
        });
        var log = new StateLog(client);
        proxy.Drop(refuse: false);
        await log.NextAsync(ConnectionState.Connected);

        List<(string Category, LogLevel Level, EventId Id, string Message)> entries;
        lock (provider.Entries)
        {
            entries = [.. provider.Entries];
        }
        Assert.All(entries, e => Assert.Equal("Hubbub.Client.HubbubClient", e.Category));
        Assert.Contains(entries, e => e.Id.Id == 2001 && e.Message.Contains("user 42", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Id.Id == 2002);
        Assert.Contains(entries, e => e.Id.Id == 2003);
        Assert.DoesNotContain(entries, e => e.Message.Contains(token, StringComparison.Ordinal) || e.Message.Contains(token.Split('.')[2], StringComparison.Ordinal));
    }
}
