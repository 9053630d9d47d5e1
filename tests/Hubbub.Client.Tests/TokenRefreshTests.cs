using Hubbub.Client.Tests.Infrastructure;
using Hubbub.Protocol;

namespace Hubbub.Client.Tests;

/// <summary>
/// Token refresh in place against the real server: ahead of the token's expiry the client gets a fresh token from its
/// provider and sends <c>refresh</c>; the connection outlives every token and a stream published meanwhile arrives
/// whole. A token that expires anyway (4401) makes a client with a provider reconnect, and one with a fixed token stop.
/// </summary>
public sealed class TokenRefreshTests : IAsyncLifetime
{
    private ServerHost _server = null!;

    public Task InitializeAsync()
    {
        _server = ServerHost.Start(settings: new Dictionary<string, string> { ["Hubbub:TokenExpiryGraceSeconds"] = "1" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>A token of <paramref name="user"/> expiring <paramref name="seconds"/> from now.</summary>
    private static string ShortToken(string user, int seconds) => ServerHost.Token(user, lifetime: TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task The_client_refreshes_ahead_of_every_expiry_on_one_connection_and_a_stream_arrives_whole()
    {
        var issued = 0;
        await using var client = await Clients.ConnectedAsync(_server.WsUrl, "refresher", o =>
        {
            o.TokenProvider = _ =>
            {
                Interlocked.Increment(ref issued);
                return ValueTask.FromResult(ShortToken("refresher", 4));
            };
            o.TokenRefreshAhead = TimeSpan.FromSeconds(2);
        });
        var states = new StateLog(client);
        var firstExpiry = client.TokenExpiresAt;
        Assert.NotNull(firstExpiry);
        var stream = await client.SubscribeAsync("public:dotnet-refresh-stream");

        // About 8 s of publications every 25 ms: two token lifetimes, several refreshes.
        var published = 0;
        var until = DateTime.UtcNow.AddSeconds(8);
        while (DateTime.UtcNow < until)
        {
            await _server.PublishAsync("public:dotnet-refresh-stream", new { n = ++published });
            await Task.Delay(25);
        }
        var received = await Eventually.ReadAsync(stream, published, e => e.Kind == HubbubEventKind.Publication);

        Assert.Equal(Enumerable.Range(1, published).Select(i => (long)i), received.Select(e => e.Offset!.Value)); // no gap, no duplicate
        Assert.Empty(states.All); // never disconnected, never reconnected
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.True(issued >= 4, $"the provider was asked {issued} times");
        Assert.True(client.TokenExpiresAt > firstExpiry!.Value.AddSeconds(4), $"expiry {client.TokenExpiresAt} after {firstExpiry}");
    }

    [Fact]
    public async Task After_a_4401_a_client_with_a_token_provider_reconnects_with_a_fresh_token_and_recovers()
    {
        // The first token lives 2 s; every refresh gets a token the server refuses, until the connection is closed.
        var calls = 0;
        var lapsed = false;
        await using var client = await Clients.ConnectedAsync(_server.WsUrl, "lapser", o =>
        {
            o.TokenProvider = _ => ValueTask.FromResult(Interlocked.Increment(ref calls) == 1 ? ShortToken("lapser", 2)
                : Volatile.Read(ref lapsed) ? ShortToken("lapser", 3600) : "not-a-jwt");
            o.TokenRefreshAhead = TimeSpan.FromSeconds(1);
        });
        var states = new StateLog(client);
        // Set as the client reports the drop, before its reconnect asks the provider (handlers run synchronously).
        client.StateChanged += (_, e) =>
        {
            if (e.State == ConnectionState.Disconnected)
            {
                Volatile.Write(ref lapsed, true);
            }
        };
        var sub = await client.SubscribeAsync("public:dotnet-lapse");
        await _server.PublishAsync("public:dotnet-lapse", new { n = 1 });
        var dropped = await states.NextAsync(ConnectionState.Disconnected);
        Assert.Equal(CloseCodes.TokenExpired, dropped.CloseCode);
        await _server.PublishAsync("public:dotnet-lapse", new { n = 2 });
        await states.NextAsync(ConnectionState.Connected);
        await _server.PublishAsync("public:dotnet-lapse", new { n = 3 });
        var received = await Eventually.ReadAsync(sub, 3, e => e.Kind == HubbubEventKind.Publication);
        Assert.Equal([1L, 2, 3], received.Select(e => e.Offset!.Value));
    }

    [Fact]
    public async Task A_failing_refresh_is_tried_again_at_most_once_a_second_and_not_in_the_tokens_last_second()
    {
        var attempts = new System.Collections.Concurrent.ConcurrentQueue<DateTimeOffset>();
        var calls = 0;
        await using var client = await Clients.ConnectedAsync(_server.WsUrl, "retrier", o =>
        {
            o.TokenProvider = _ =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    return ValueTask.FromResult(ShortToken("retrier", 7));
                }
                attempts.Enqueue(DateTimeOffset.UtcNow);
                throw new InvalidOperationException("the token service is down");
            };
            o.TokenRefreshAhead = TimeSpan.FromSeconds(6); // the first refresh at about half the token's life
        });
        var expiry = client.TokenExpiresAt!.Value;
        await Task.Delay(expiry - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300));

        // Before the expiry (afterwards the reconnect asks the provider, as it should): spaced retries, none at the end.
        var before = attempts.Where(t => t < expiry).ToList();
        Assert.InRange(before.Count, 2, 5);
        var gaps = before.Zip(before.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();
        Assert.True(gaps.All(g => g >= 900), $"retries {string.Join(", ", gaps.Select(g => g.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))} ms apart");
        Assert.True(expiry - before[^1] >= TimeSpan.FromMilliseconds(900), $"the last retry {(expiry - before[^1]).TotalMilliseconds:F0} ms before the expiry");
    }

    [Fact]
    public async Task A_token_living_longer_than_a_timers_longest_wait_is_not_refreshed_early()
    {
        var issued = 0;
        await using var client = await Clients.ConnectedAsync(_server.WsUrl, "long-lived", o => o.TokenProvider = _ =>
        {
            Interlocked.Increment(ref issued);
            return ValueTask.FromResult(ServerHost.Token("long-lived", lifetime: TimeSpan.FromDays(400)));
        });
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, Volatile.Read(ref issued));
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.True(client.TokenExpiresAt > DateTimeOffset.UtcNow.AddDays(399));
    }

    [Fact]
    public async Task A_client_with_a_fixed_token_stops_with_4401_when_it_expires()
    {
        await using var client = await Clients.ConnectedAsync(_server.WsUrl, "fixed", o => o.Token = ShortToken("fixed", 2));
        var states = new StateLog(client);
        var stopped = await states.NextAsync(ConnectionState.Stopped);
        Assert.Equal(CloseCodes.TokenExpired, stopped.CloseCode);
    }
}
