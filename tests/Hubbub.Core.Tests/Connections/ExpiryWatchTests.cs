using Hubbub.Core.Connections;
using Hubbub.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Core.Tests.Connections;

/// <summary>
/// The node's one expiry timer: each connection closed with 4401 on the second its token (plus grace) runs out, not
/// before; a refresh moves the watch; a connection that ends leaves nothing watched.
/// </summary>
public sealed class ExpiryWatchTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Connections_are_closed_on_their_own_expiry_and_a_refresh_or_an_end_moves_or_drops_the_watch()
    {
        var clock = new FakeTimeProvider(Start);
        using var watch = new ExpiryWatch(clock);
        await using var first = await SubscriptionOrderTests.SocketPair.CreateAsync();
        await using var second = await SubscriptionOrderTests.SocketPair.CreateAsync();
        await using var third = await SubscriptionOrderTests.SocketPair.CreateAsync();
        var soon = Connection(first, clock, Start.AddSeconds(10));
        var refreshed = Connection(second, clock, Start.AddSeconds(10));
        var ended = Connection(third, clock, Start.AddSeconds(30));
        var grace = TimeSpan.FromSeconds(5);
        foreach (var connection in new[] { soon, refreshed, ended })
        {
            connection.WatchExpiry(grace, watch);
        }
        Assert.Equal(3, watch.Count);
        refreshed.ReplaceCredentials(User(Start.AddSeconds(60)));
        Assert.Equal(3, watch.Count);

        clock.Advance(TimeSpan.FromSeconds(14));
        Assert.False(soon.IsClosing);
        clock.Advance(TimeSpan.FromSeconds(1)); // exp + grace
        Assert.Equal(CloseCodes.TokenExpired, soon.CloseCode);
        Assert.False(refreshed.IsClosing);
        Assert.Equal(2, watch.Count);

        // A connection that ends before its expiry is no longer watched (the watch must not keep it, nor close it later).
        await ended.FinishAsync();
        Assert.Equal(1, watch.Count);
        clock.Advance(TimeSpan.FromSeconds(50)); // the refreshed one's exp + grace
        Assert.Equal(CloseCodes.TokenExpired, refreshed.CloseCode);
        Assert.False(ended.IsClosing);
        Assert.Equal(0, watch.Count);
    }

    private static HubbubUser User(DateTimeOffset expiresAt) => new("1", "One", []) { ExpiresAt = expiresAt };

    private static ClientConnection Connection(SubscriptionOrderTests.SocketPair pair, TimeProvider clock, DateTimeOffset expiresAt) =>
        new("c1", User(expiresAt), pair.Server, null, new HubbubOptions(), clock, NullLogger.Instance);

    [Fact]
    public async Task A_connection_watched_after_the_engine_disposed_the_watch_is_not_refused()
    {
        // The system clock: its disposed timer refuses to be set (ObjectDisposedException).
        var watch = new ExpiryWatch(TimeProvider.System);
        watch.Dispose();
        await using var pair = await SubscriptionOrderTests.SocketPair.CreateAsync();
        var connection = Connection(pair, TimeProvider.System, DateTimeOffset.UtcNow.AddMinutes(10));
        connection.WatchExpiry(TimeSpan.Zero, watch); // a connection still ending at shutdown must not throw
        await connection.FinishAsync();
        Assert.Equal(0, watch.Count);
    }
}
