using Hubbub.Core.Publishing;
using Hubbub.Features.Kit;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests;

/// <summary>
/// When the publisher sends several channels' publications all or none in one call (a single Redis: one script), the
/// outbox sends a pass's publications on all its channels in that one call (an event that passed ten users: one round
/// trip instead of eleven); when that call fails, the pass is retried whole and every subscriber still gets each of its
/// channel's events once, in order.
/// </summary>
public sealed class OutboxAtOnceTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task A_pass_on_several_channels_goes_out_in_one_call_and_after_a_failed_call_each_event_arrives_once_in_order(int failures)
    {
        var users = new[] { Users.New("ada"), Users.New("bob"), Users.New("cy") };
        var counting = new AtOncePublisher(failures);
        await using var chat = await ChatServer.StartAsync("sqlite", new() { ["Kit:RetryBaseMs"] = "200", ["Kit:PollMs"] = "50" },
            configureServices: s => s.AddSingleton<IChannelPublisher>(sp => counting.Over(sp.GetRequiredService<ChannelPublisher>())));
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
        });

        foreach (var ws in sockets)
        {
            for (var n = 1; n <= 3; n++)
            {
                Assert.Equal(n, (await ws.NextAsync(f => f.Type() == "n", TimeSpan.FromSeconds(15))).GetProperty("data").GetInt32());
            }
        }
        // The first pass (the commit's own) is one call for all three channels, all nine publications; a failed one is retried.
        Assert.Equal((3, 9), counting.First);
        Assert.Equal(1 + failures, counting.Calls);
        Assert.Equal(0, counting.OneByOne);
        await DomainEventTests.WaitForAsync(async () => await database.ReadAsync(async tx => await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM kit_outbox")) == 0);
        await Task.Delay(300);
        foreach (var ws in sockets)
        {
            Assert.Empty(await ws.PendingAfterSyncAsync(f => f.Type() == "n")); // none twice
            await ws.DisposeAsync();
        }
    }

    /// <summary>The real publisher, saying it publishes channels all at once, counting the calls (of the test's event type); the first <paramref name="failures"/> fail, sending nothing (the broker away).</summary>
    private sealed class AtOncePublisher(int failures)
    {
        private int _failuresLeft = failures;

        public int Calls { get; private set; }

        public (int Channels, int Publications) First { get; private set; }

        public int OneByOne { get; private set; }

        public IChannelPublisher Over(IChannelPublisher inner) => new Wrapper(this, inner);

        private sealed class Wrapper(AtOncePublisher counts, IChannelPublisher inner) : IChannelPublisher
        {
            public bool PublishesAllAtOnce => true;

            public bool PublishesChannelsAtOnce => true;

            public async ValueTask PublishChannelsAsync(IReadOnlyList<ChannelEvents> channels, CancellationToken cancellationToken = default)
            {
                if (channels.Any(c => c.Events.Any(e => e.EventType == "n")))
                {
                    lock (counts)
                    {
                        if (counts.Calls++ == 0)
                        {
                            counts.First = (channels.Count, channels.Sum(c => c.Events.Count));
                        }
                        if (counts._failuresLeft > 0)
                        {
                            counts._failuresLeft--;
                            throw new InvalidOperationException("the broker is away");
                        }
                    }
                }
                foreach (var channel in channels)
                {
                    await inner.PublishAllAsync(channel.Channel, channel.Events, cancellationToken);
                }
            }

            public ValueTask PublishAllAsync(string channel, IReadOnlyList<ChannelEvent> events, CancellationToken cancellationToken = default)
            {
                if (events.Any(e => e.EventType == "n"))
                {
                    lock (counts)
                    {
                        counts.OneByOne++;
                    }
                }
                return inner.PublishAllAsync(channel, events, cancellationToken);
            }

            public ValueTask<long> PublishAsync(string channel, string eventType, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
            {
                if (eventType == "n")
                {
                    lock (counts)
                    {
                        counts.OneByOne++;
                    }
                }
                return inner.PublishAsync(channel, eventType, data, cancellationToken);
            }

            public ValueTask PublishToUsersAsync(IEnumerable<string> users, string eventType, ReadOnlyMemory<byte> data,
                CancellationToken cancellationToken = default) => inner.PublishToUsersAsync(users, eventType, data, cancellationToken);

            public ValueTask EndSubscriptionsAsync(string user, string channel, string reason, CancellationToken cancellationToken = default) =>
                inner.EndSubscriptionsAsync(user, channel, reason, cancellationToken);
        }
    }
}
