using Hubbub.Core.Memory;
using Hubbub.Core.Seams;
using Hubbub.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>A subscribe that fails half-way (its history store fails) leaves nothing behind: a retry succeeds.</summary>
public sealed class FailedSubscribeTests : IDisposable
{
    private readonly FlakyHistory _history = new();
    private readonly TestServer _server;

    public FailedSubscribeTests() => _server = new(configureServices: services =>
        services.AddSingleton<IHistoryStore>(sp => _history.Wrapping(sp.GetRequiredService<MemoryHistoryStore>())));

    [Fact]
    public async Task A_subscribe_that_failed_is_neither_a_duplicate_nor_counted_afterwards()
    {
        await using var c = await _server.ConnectAsync("ada");
        _history.FailNext = true;

        var failed = await c.RequestAsync("subscribe", new { channel = "public:flaky" });
        Assert.Equal("error", failed.Type());
        Assert.Equal("internal", failed.GetProperty("data").GetProperty("code").GetString());

        // Not "already subscribed": the failed attempt left no subscription behind.
        var reply = await c.SubscribeAsync("public:flaky");
        Assert.Equal(0, reply.GetProperty("offset").GetInt64());
        var published = await _server.PublishAsync("""{"channel":"public:flaky","data":{"n":1}}""");
        Assert.True(published.IsSuccessStatusCode);
        Assert.Single(await c.PublicationsAsync("public:flaky", 1));
    }

    public void Dispose() => _server.Dispose();

    private sealed class FlakyHistory : IHistoryStore
    {
        private IHistoryStore? _inner;

        public volatile bool FailNext;

        public IHistoryStore Wrapping(IHistoryStore inner)
        {
            _inner = inner;
            return this;
        }

        public ValueTask<StreamTop> GetTopAsync(string channel, CancellationToken cancellationToken = default) =>
            Fail() ? throw new InvalidOperationException("history store down") : _inner!.GetTopAsync(channel, cancellationToken);

        public ValueTask<HistoryResult> ReadAsync(string channel, long? sinceOffset, string? sinceEpoch, int limit,
            CancellationToken cancellationToken = default) =>
            Fail() ? throw new InvalidOperationException("history store down") : _inner!.ReadAsync(channel, sinceOffset, sinceEpoch, limit, cancellationToken);

        private bool Fail()
        {
            if (!FailNext)
            {
                return false;
            }
            FailNext = false;
            return true;
        }
    }
}
