using Hubbub.Core.Publishing;
using Hubbub.Features.Kit;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests;

/// <summary>
/// After a commit the outbox publishes different channels' publications concurrently (on Redis each is a round trip, and
/// an event passing ten users publishes on eleven channels), but one channel's strictly one after the other: the next
/// starts only when the one before it came back, so each subscriber sees its channel's events once, in the order made.
/// </summary>
public sealed class OutboxConcurrentChannelsTests
{
    [Fact]
    public async Task Different_channels_publish_at_once_and_each_channel_in_order_one_at_a_time()
    {
        var users = new[] { Users.New("ada"), Users.New("bob"), Users.New("cy") };
        var slow = new SlowPublisher(TimeSpan.FromMilliseconds(40), users.Length);
        await using var chat = await ChatServer.StartAsync("sqlite",
            configureServices: s => s.AddSingleton<IChannelPublisher>(sp => slow.Over(sp.GetRequiredService<ChannelPublisher>())));
        var features = chat.Server.Services.GetRequiredService<FeatureDatabase>();
        var database = chat.Server.Services.GetRequiredService<IDatabase>();
        var sockets = new List<WsClient>();
        foreach (var user in users)
        {
            var ws = await chat.ConnectAsync(user);
            await ws.SubscribeAsync($"user:{user}");
            sockets.Add(ws);
        }
        var int32 = KitJsonContext.Default.Int32;

        // One transaction: four events per user, interleaved across the three channels, in a batch row and fan-out rows.
        await features.WriteAsync(async tx =>
        {
            for (var n = 1; n <= 2; n++)
            {
                foreach (var user in users)
                {
                    await tx.PublishAsync($"user:{user}", "n", n, int32);
                }
            }
            await tx.PublishToChannelsAsync([.. users.Select(u => $"user:{u}")], "n", 3, int32);
            await tx.PublishAsync($"user:{users[2]}", "n", 4, int32);
            await tx.PublishAsync($"user:{users[0]}", "n", 4, int32);
            await tx.PublishAsync($"user:{users[1]}", "n", 4, int32);
        });

        foreach (var ws in sockets)
        {
            for (var n = 1; n <= 4; n++)
            {
                Assert.Equal(n, (await ws.NextAsync(f => f.Type() == "n")).GetProperty("data").GetInt32());
            }
        }
        Assert.Equal(0, slow.SameChannelOverlaps); // never two of one channel in flight: the second waited for the first
        Assert.Equal(users.Length, slow.MostInFlight); // every channel's first went out before any came back
        // Every row published is deleted: off the caller's flow (the kit coalesces the deletions), so soon rather than at once.
        var left = -1L;
        for (var wait = 0; wait < 200 && left != 0; wait++)
        {
            left = await database.ReadAsync(async tx => await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM kit_outbox"));
            await Task.Delay(left == 0 ? 0 : 50);
        }
        Assert.Equal(0L, left);
        await Task.Delay(200);
        foreach (var ws in sockets)
        {
            Assert.Empty(await ws.PendingAfterSyncAsync(f => f.Type() == "n")); // none twice
            await ws.DisposeAsync();
        }
    }

    /// <summary>
    /// The real publisher behind a delay, counting publications in flight at once, overall and per channel. The first
    /// publications wait (up to 5 s) until <paramref name="together"/> are in flight, so a loaded machine's slow thread
    /// start cannot make a concurrent dispatcher look serial; a serial one never gets there and shows 1.
    /// </summary>
    private sealed class SlowPublisher(TimeSpan delay, int together)
    {
        private readonly Lock _gate = new();
        private readonly TaskCompletionSource _allStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Dictionary<string, int> _inFlight = new(StringComparer.Ordinal);
        private int _total;

        public int MostInFlight { get; private set; }

        public int SameChannelOverlaps { get; private set; }

        public IChannelPublisher Over(IChannelPublisher inner) => new Wrapper(this, inner);

        private async ValueTask<long> PublishAsync(IChannelPublisher inner, string channel, string eventType, ReadOnlyMemory<byte> data,
            CancellationToken cancellationToken)
        {
            if (eventType != "n")
            {
                return await inner.PublishAsync(channel, eventType, data, cancellationToken); // the server's own (a connect's): not the test's
            }
            lock (_gate)
            {
                var mine = _inFlight.GetValueOrDefault(channel) + 1;
                _inFlight[channel] = mine;
                SameChannelOverlaps += mine > 1 ? 1 : 0;
                MostInFlight = Math.Max(MostInFlight, ++_total);
                if (_total >= together)
                {
                    _allStarted.TrySetResult();
                }
            }
            try
            {
                await Task.WhenAny(_allStarted.Task, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
                await Task.Delay(delay, cancellationToken);
                return await inner.PublishAsync(channel, eventType, data, cancellationToken);
            }
            finally
            {
                lock (_gate)
                {
                    _inFlight[channel]--;
                    _total--;
                }
            }
        }

        private sealed class Wrapper(SlowPublisher slow, IChannelPublisher inner) : IChannelPublisher
        {
            public ValueTask<long> PublishAsync(string channel, string eventType, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
                slow.PublishAsync(inner, channel, eventType, data, cancellationToken);

            public ValueTask PublishToUsersAsync(IEnumerable<string> users, string eventType, ReadOnlyMemory<byte> data,
                CancellationToken cancellationToken = default) => inner.PublishToUsersAsync(users, eventType, data, cancellationToken);

            public ValueTask EndSubscriptionsAsync(string user, string channel, string reason, CancellationToken cancellationToken = default) =>
                inner.EndSubscriptionsAsync(user, channel, reason, cancellationToken);
        }
    }
}
