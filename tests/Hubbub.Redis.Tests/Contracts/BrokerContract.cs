using System.Text;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Redis.Tests.Contracts;

/// <summary>
/// What every <see cref="IBroker"/> must do, run against each implementation through <see cref="CreateNodeAsync"/>.
/// </summary>
public abstract class BrokerContract
{
    private static readonly HistoryPolicy Policy = new(100, TimeSpan.FromMinutes(10));

    protected FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A node of the implementation under test.</summary>
    protected abstract Task<SeamNode> CreateNodeAsync();

    protected static string NewChannel() => $"public:c{Guid.NewGuid():N}";

    [Fact]
    public async Task Publish_assigns_offsets_from_1_growing_by_1_under_the_advertised_epoch()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();
        await node.SubscribeAsync(channel);
        var top = await node.History.GetTopAsync(channel);

        var offsets = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var publication = await node.Broker.PublishAsync(channel, SeamExtensions.Draft($"{{\"n\":{i}}}"), Policy);
            offsets.Add(publication.Offset);
            Assert.Equal(top.Epoch, publication.Epoch);
        }

        Assert.Equal(0, top.Offset);
        Assert.Equal([1L, 2, 3, 4, 5], offsets);
        Assert.Equal(new StreamTop(5, top.Epoch), await node.History.GetTopAsync(channel));
    }

    [Fact]
    public async Task Subscribed_node_receives_each_publication_once_in_offset_order_even_when_published_concurrently()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();
        await node.SubscribeAsync(channel);

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            node.Broker.PublishAsync(channel, SeamExtensions.Draft($"{i}"), Policy).AsTask()));

        var received = await node.Sink.WaitForAsync(channel, 40);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), received.Select(p => p.Offset));
    }

    [Fact]
    public async Task Delivered_publication_carries_the_event_data_sender_and_the_exact_frame()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();
        await node.SubscribeAsync(channel);
        var from = new ClientInfo("u:1 ünï\"code", "Ada \u2603 Lovelace");

        await node.Broker.PublishAsync(channel, SeamExtensions.Draft("{\"text\":\"héllo \\u0000\"}", "chat.sent", from), Policy);
        await node.Broker.PublishAsync(channel, SeamExtensions.Draft("[1,2]"), Policy);

        var received = await node.Sink.WaitForAsync(channel, 2);
        var first = received[0];
        Assert.Equal("chat.sent", first.Event);
        Assert.Equal(from, first.From);
        Assert.Equal("{\"text\":\"héllo \\u0000\"}", Encoding.UTF8.GetString(first.Data.Span));
        Assert.Equal(FrameWriter.ChannelEvent("chat.sent", channel, 1, first.Data.Span, from), first.Frame);
        Assert.Null(received[1].From);
        Assert.Equal("message", received[1].Event);
    }

    [Fact]
    public async Task Ephemeral_event_reaches_subscribers_with_its_frame_and_exclusions()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();
        await node.SubscribeAsync(channel);
        var frame = Encoding.UTF8.GetBytes("{\"type\":\"typing\",\"channel\":\"x\",\"data\":{}}");

        await node.Broker.PublishEphemeralAsync(channel, new EphemeralEvent(frame, "user-7", "conn-9"));
        await node.Broker.PublishEphemeralAsync(channel, new EphemeralEvent(frame, null, null));

        var received = await node.Sink.WaitForEphemeralAsync(channel, 2);
        Assert.Equal(frame, received[0].Frame);
        Assert.Equal("user-7", received[0].ExcludeUser);
        Assert.Equal("conn-9", received[0].ExcludeConnection);
        Assert.Null(received[1].ExcludeUser);
        Assert.Null(received[1].ExcludeConnection);
    }

    [Fact]
    public async Task Eviction_carries_the_evicted_user_to_every_node()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();
        await node.SubscribeAsync(channel);
        var frame = FrameWriter.Unsubscribed(channel, "left");
        await node.Broker.PublishEphemeralAsync(channel, new EphemeralEvent(frame, "user-1", null, EvictUser: "user-7"));
        var received = await node.Sink.WaitForEphemeralAsync(channel, 1);
        Assert.Equal(frame, received[0].Frame);
        Assert.Equal("user-7", received[0].EvictUser);
        Assert.Equal("user-1", received[0].ExcludeUser);
    }

    [Fact]
    public async Task Channels_have_independent_offsets()
    {
        var node = await CreateNodeAsync();
        var a = NewChannel();
        var b = NewChannel();
        await node.SubscribeAsync(a);
        await node.SubscribeAsync(b);

        await node.Broker.PublishAsync(a, SeamExtensions.Draft("1"), Policy);
        await node.Broker.PublishAsync(a, SeamExtensions.Draft("2"), Policy);
        var onB = await node.Broker.PublishAsync(b, SeamExtensions.Draft("3"), Policy);

        Assert.Equal(1, onB.Offset);
        Assert.Equal([1L, 2], (await node.Sink.WaitForAsync(a, 2)).Select(p => p.Offset));
    }

    [Fact]
    public async Task Subscribing_twice_and_unsubscribing_once_keeps_receiving()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();
        await node.SubscribeAsync(channel);
        await node.SubscribeAsync(channel);
        await node.Broker.UnsubscribeAsync(channel);

        await node.Broker.PublishAsync(channel, SeamExtensions.Draft("1"), Policy);

        Assert.Single(await node.Sink.WaitForAsync(channel, 1));
    }
}

/// <summary>The broker contract against <see cref="Hubbub.Core.Memory.MemoryBroker"/>.</summary>
public sealed class MemoryBrokerContract : BrokerContract
{
    protected override Task<SeamNode> CreateNodeAsync() => Task.FromResult(MemorySeams.Node(Time));
}

/// <summary>The broker contract against <see cref="RedisBroker"/>.</summary>
public sealed class RedisBrokerContract : BrokerContract, IAsyncLifetime
{
    private readonly RedisSeams _redis = new();

    protected override Task<SeamNode> CreateNodeAsync() => Task.FromResult(_redis.Node(Time));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _redis.DisposeAsync();
}
