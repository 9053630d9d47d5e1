using System.Text;
using Hubbub.Core.Publishing;
using Hubbub.Core.Seams;
using Hubbub.Redis.Tests.Contracts;
using Hubbub.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>
/// Publications in commit order (<see cref="ISequencedBroker"/>): two nodes' brokers publish a channel's sequenced
/// publications in the order of their sequences whatever order they arrive in; one that arrives before an earlier
/// sequence is held until it comes, or forced out after the bound when it never does; a late one is published, once.
/// </summary>
public sealed class CommitOrderBrokerTests : IAsyncLifetime
{
    private static readonly HistoryPolicy Policy = new(100, TimeSpan.FromMinutes(10));
    private readonly string _prefix = TestRedis.UniquePrefix();
    private readonly List<RedisConnection> _connections = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sequences_arriving_in_any_order_from_two_nodes_are_published_in_sequence_order_with_consecutive_offsets()
    {
        // Property: for shuffled arrival orders (seeded), every node receives 1..n in sequence order, each once. The bound is
        // long, so no gap is forced: every sequence arrives, only later than the ones after it.
        var a = Node(orderWaitMs: 10_000);
        var b = Node(orderWaitMs: 10_000);
        var random = new Random(20261206);
        for (var round = 0; round < 8; round++)
        {
            var channel = NewChannel();
            await a.SubscribeAsync(channel);
            await b.SubscribeAsync(channel);
            const int Count = 12;
            await Sequenced(a).PublishInOrderAsync(channel, [Draft(1)], Policy, 1); // the channel's first
            var arrival = Enumerable.Range(2, Count - 1).OrderBy(_ => random.Next()).ToList();
            // Started one after the other (each node's connection sends in the order started), awaited together: the held
            // ones return when the one before them released them.
            await Task.WhenAll(arrival.Select((sequence, i) =>
                Sequenced(i % 2 == 0 ? a : b).PublishInOrderAsync(channel, [Draft(sequence), Draft(sequence, "second")], Policy, sequence).AsTask()));

            foreach (var node in new[] { a, b })
            {
                var received = await node.Sink.WaitForAsync(channel, 2 * Count - 1);
                Assert.Equal(Enumerable.Range(1, 2 * Count - 1).Select(i => (long)i), received.Select(p => p.Offset));
                Assert.Equal([1, .. Enumerable.Range(2, Count - 1).SelectMany(s => new[] { s, s })], received.Select(p => int.Parse(Encoding.UTF8.GetString(p.Data.Span))));
                Assert.Equal(2 * Count - 1, node.Sink.Publications.Count(p => p.Channel == channel)); // each once
            }
        }
    }

    [Fact]
    public async Task A_gap_that_never_fills_is_published_after_the_bound_and_the_late_sequence_is_published_once_after_it()
    {
        var a = Node(orderWaitMs: 200);
        var b = Node(orderWaitMs: 200);
        var channel = NewChannel();
        await a.SubscribeAsync(channel);
        await Sequenced(a).PublishInOrderAsync(channel, [Draft(1)], Policy, 1);

        // Sequence 2 never comes (its node died between commit and publish): 4 and 3 wait for it, then go out, in order.
        var four = Sequenced(b).PublishInOrderAsync(channel, [Draft(4)], Policy, 4).AsTask();
        var three = Sequenced(a).PublishInOrderAsync(channel, [Draft(3)], Policy, 3).AsTask();
        await Task.WhenAll(three, four).WaitAsync(TimeSpan.FromSeconds(10));
        // The outbox publishes 2 late (another node, after the lease): at once, not held, not lost.
        await Sequenced(b).PublishInOrderAsync(channel, [Draft(2)], Policy, 2).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        // And the channel goes on in order from where it is.
        await Sequenced(a).PublishInOrderAsync(channel, [Draft(5)], Policy, 5).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        var received = await a.Sink.WaitForAsync(channel, 5);
        Assert.Equal([1, 3, 4, 2, 5], received.Select(p => int.Parse(Encoding.UTF8.GetString(p.Data.Span))));
        Assert.Equal([1L, 2, 3, 4, 5], received.Select(p => p.Offset));
        var history = await a.History.ReadAsync(channel, 0, (await a.History.GetTopAsync(channel)).Epoch, 100);
        Assert.Equal([1, 3, 4, 2, 5], history.Publications.Select(p => int.Parse(Encoding.UTF8.GetString(p.Data.Span))));
    }

    [Fact]
    public async Task Unsequenced_publications_and_a_channel_seen_first_at_a_later_sequence_are_published_at_once()
    {
        var a = Node(orderWaitMs: 10_000);
        var channel = NewChannel();
        await a.SubscribeAsync(channel);
        // A channel whose stream Redis does not know (new, or its metadata lost) starts at whatever sequence comes first.
        await Sequenced(a).PublishInOrderAsync(channel, [Draft(40)], Policy, 40).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        await a.Broker.PublishAsync(channel, Draft(0), Policy); // a plain publication (a client's, or an outbox retry) takes the next offset
        await Sequenced(a).PublishInOrderAsync(channel, [Draft(41)], Policy, 41).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        var received = await a.Sink.WaitForAsync(channel, 3);
        Assert.Equal([40, 0, 41], received.Select(p => int.Parse(Encoding.UTF8.GetString(p.Data.Span))));
    }

    private static ISequencedBroker Sequenced(SeamNode node) => (ISequencedBroker)node.Broker;

    private static string NewChannel() => $"public:o{Guid.NewGuid():N}";

    private static PublicationDraft Draft(int value, string eventType = "message") => new(eventType, Encoding.UTF8.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)), null);

    private SeamNode Node(int orderWaitMs)
    {
        var connection = new RedisConnection(Options.Create(new RedisOptions { Configuration = TestRedis.Endpoint, KeyPrefix = _prefix, OrderWaitMs = orderWaitMs }),
            NullLogger<RedisConnection>.Instance);
        _connections.Add(connection);
        var history = new RedisHistoryStore(connection, TimeProvider.System);
        var sink = new RecordingSink();
        return new SeamNode(new RedisBroker(connection, history, sink, TimeProvider.System, NullLogger<RedisBroker>.Instance), history, sink);
    }
}
