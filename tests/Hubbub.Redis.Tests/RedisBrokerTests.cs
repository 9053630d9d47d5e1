using System.Text;
using Hubbub.Core.Publishing;
using Hubbub.Core.Seams;
using Hubbub.Redis.Tests.Contracts;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Hubbub.Redis.Tests;

/// <summary>What only a broker spanning nodes does: several nodes, lost streams, gaps in pub/sub.</summary>
public sealed class RedisBrokerTests : IAsyncLifetime
{
    private static readonly HistoryPolicy Policy = new(100, TimeSpan.FromMinutes(10));
    private readonly RedisSeams _redis = new();
    private readonly FakeTimeProvider _time = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    private static string NewChannel() => $"public:r{Guid.NewGuid():N}";

    [Fact]
    public async Task A_publication_on_one_node_reaches_every_subscribed_node_exactly_once()
    {
        var a = _redis.Node(_time);
        var b = _redis.Node(_time);
        var c = _redis.Node(_time);
        var channel = NewChannel();
        foreach (var node in new[] { a, b, c })
        {
            await node.SubscribeAsync(channel);
        }

        for (var i = 0; i < 10; i++)
        {
            await (i % 2 == 0 ? a : b).Broker.PublishAsync(channel, SeamExtensions.Draft($"{i}"), Policy);
        }
        // A last publication from C: once every node has it, everything before it has arrived too.
        await c.Broker.PublishAsync(channel, SeamExtensions.Draft("\"end\""), Policy);

        foreach (var node in new[] { a, b, c })
        {
            var received = await node.Sink.WaitForAsync(channel, 11);
            Assert.Equal(Enumerable.Range(1, 11).Select(i => (long)i), received.Select(p => p.Offset));
        }
    }

    [Fact]
    public async Task Several_publications_in_one_step_take_consecutive_offsets_in_order_on_every_node_and_in_history()
    {
        var a = _redis.Node(_time);
        var b = _redis.Node(_time);
        var channel = NewChannel();
        await a.SubscribeAsync(channel);
        await b.SubscribeAsync(channel);

        await a.Broker.PublishAsync(channel, SeamExtensions.Draft("1"), Policy);
        var first = await ((IMultiPublishBroker)b.Broker).PublishAllAsync(channel,
            [SeamExtensions.Draft("2", "overtaken"), SeamExtensions.Draft("3", "notification"), SeamExtensions.Draft("4")], Policy);
        await a.Broker.PublishAsync(channel, SeamExtensions.Draft("5"), Policy);

        Assert.Equal(2, first);
        foreach (var node in new[] { a, b })
        {
            var received = await node.Sink.WaitForAsync(channel, 5);
            Assert.Equal([(1L, "message", "1"), (2, "overtaken", "2"), (3, "notification", "3"), (4, "message", "4"), (5, "message", "5")],
                received.Select(p => (p.Offset, p.Event, Encoding.UTF8.GetString(p.Data.Span))));
        }
        var history = await a.History.ReadAsync(channel, 1, (await a.History.GetTopAsync(channel)).Epoch, 100);
        Assert.Equal(["2", "3", "4", "5"], history.Publications.Select(p => Encoding.UTF8.GetString(p.Data.Span)));

        // A channel kept without history still numbers and delivers them all.
        var bare = NewChannel();
        await a.SubscribeAsync(bare);
        Assert.Equal(1, await ((IMultiPublishBroker)a.Broker).PublishAllAsync(bare, [SeamExtensions.Draft("1"), SeamExtensions.Draft("2")], new HistoryPolicy(0, TimeSpan.Zero)));
        Assert.Equal([1L, 2], (await a.Sink.WaitForAsync(bare, 2)).Select(p => p.Offset));
    }

    [Fact]
    public async Task A_node_that_unsubscribed_receives_nothing_more()
    {
        var a = _redis.Node(_time);
        var b = _redis.Node(_time);
        var channel = NewChannel();
        var marker = NewChannel();
        await a.SubscribeAsync(channel);
        await b.SubscribeAsync(channel);
        await b.SubscribeAsync(marker);
        await b.Broker.UnsubscribeAsync(channel);

        await a.Broker.PublishAsync(channel, SeamExtensions.Draft("1"), Policy);
        await a.Broker.PublishAsync(marker, SeamExtensions.Draft("2"), Policy);

        // Redis sends B's messages in order on one connection: the marker arriving proves the first was not sent.
        await b.Sink.WaitForAsync(marker, 1);
        await a.Sink.WaitForAsync(channel, 1);
        Assert.DoesNotContain(b.Sink.Publications, p => p.Channel == channel);
    }

    [Fact]
    public async Task A_lost_stream_restarts_at_offset_1_under_a_new_epoch_and_old_positions_are_not_recoverable()
    {
        var node = _redis.Node(_time);
        var channel = NewChannel();
        await node.SubscribeAsync(channel);
        for (var i = 0; i < 3; i++)
        {
            await node.Broker.PublishAsync(channel, SeamExtensions.Draft($"{i}"), Policy);
        }
        var before = await node.History.GetTopAsync(channel);

        await DeleteChannelKeysAsync(channel); // what FLUSHALL or a restart without persistence does
        var after = await node.Broker.PublishAsync(channel, SeamExtensions.Draft("\"again\""), Policy);
        var recovery = await node.History.ReadAsync(channel, before.Offset, before.Epoch, 100);

        Assert.Equal(1, after.Offset);
        Assert.NotEqual(before.Epoch, after.Epoch);
        Assert.False(recovery.Complete);
        Assert.Empty(recovery.Publications);
        var received = await node.Sink.WaitForAsync(channel, 4);
        Assert.Equal(after.Epoch, received[^1].Epoch);
    }

    [Fact]
    public async Task Publications_a_node_missed_on_pub_sub_are_filled_from_history_in_order()
    {
        var node = _redis.Node(_time);
        var channel = NewChannel();
        await node.SubscribeAsync(channel);
        await node.Broker.PublishAsync(channel, SeamExtensions.Draft("1"), Policy);
        await node.Sink.WaitForAsync(channel, 1);

        // Two appends whose PUBLISH goes nowhere: what a node misses while its pub/sub connection is down.
        var connection = _redis.Connect();
        var db = await connection.GetDatabaseAsync();
        for (var i = 0; i < 2; i++)
        {
            await db.ScriptEvaluateAsync(LuaScripts.Publish, connection.Routing.History(channel),
                ["nowhere", MessageCodec.EncodeDraft(SeamExtensions.Draft($"{i}")), "ffffffff", 100,
                    _time.GetUtcNow().ToUnixTimeMilliseconds(), 600_000, 600_000]);
        }
        await node.Broker.PublishAsync(channel, SeamExtensions.Draft("4"), Policy);

        var received = await node.Sink.WaitForAsync(channel, 4);
        Assert.Equal([1L, 2, 3, 4], received.Select(p => p.Offset));
    }

    [Fact]
    public async Task Publications_a_node_missed_that_history_no_longer_holds_are_announced_and_delivery_goes_on_after_them()
    {
        var node = _redis.Node(_time);
        var channel = NewChannel();
        var noHistory = new HistoryPolicy(0, TimeSpan.Zero);
        await node.SubscribeAsync(channel);
        var first = await node.Broker.PublishAsync(channel, SeamExtensions.Draft("1"), noHistory);
        await node.Sink.WaitForAsync(channel, 1);

        // Two appends whose PUBLISH goes nowhere, kept by no history: nobody can deliver them any more.
        var connection = _redis.Connect();
        var db = await connection.GetDatabaseAsync();
        for (var i = 0; i < 2; i++)
        {
            await db.ScriptEvaluateAsync(LuaScripts.Publish, connection.Routing.History(channel),
                ["nowhere", MessageCodec.EncodeDraft(SeamExtensions.Draft($"{i}")), "ffffffff", 0,
                    _time.GetUtcNow().ToUnixTimeMilliseconds(), 0, 600_000]);
        }
        await node.Broker.PublishAsync(channel, SeamExtensions.Draft("4"), noHistory);

        var received = await node.Sink.WaitForAsync(channel, 2);
        Assert.Equal([1L, 4], received.Select(p => p.Offset));
        Assert.Equal([(channel, new StreamTop(3, first.Epoch))], node.Sink.Resets);
    }

    [Fact]
    public async Task After_a_stream_restart_a_node_delivers_the_new_epoch_from_offset_1_even_when_it_missed_the_first()
    {
        var node = _redis.Node(_time);
        var channel = NewChannel();
        await node.SubscribeAsync(channel);
        var old = await node.Broker.PublishAsync(channel, SeamExtensions.Draft("1"), Policy);
        await node.Sink.WaitForAsync(channel, 1);

        await DeleteChannelKeysAsync(channel);
        var connection = _redis.Connect();
        await (await connection.GetDatabaseAsync()).ScriptEvaluateAsync(LuaScripts.Publish, connection.Routing.History(channel),
            ["nowhere", MessageCodec.EncodeDraft(SeamExtensions.Draft("2")), "eeeeeeee", 100,
                _time.GetUtcNow().ToUnixTimeMilliseconds(), 600_000, 600_000]);
        await node.Broker.PublishAsync(channel, SeamExtensions.Draft("3"), Policy);

        var received = await node.Sink.WaitForAsync(channel, 3);
        Assert.Equal([(1L, old.Epoch), (1L, "eeeeeeee"), (2L, "eeeeeeee")], received.Select(p => (p.Offset, p.Epoch)));
    }

    [Fact]
    public async Task Garbage_published_on_a_channels_Redis_topic_is_dropped_and_delivery_goes_on()
    {
        var node = _redis.Node(_time);
        var channel = NewChannel();
        await node.SubscribeAsync(channel);
        var connection = _redis.Connect();
        var subscriber = (await connection.GetAsync()).GetSubscriber();
        foreach (var garbage in new[] { "", "p", "pxx:yy:", "p12:", "p-1:ab:\u0001", "e", "e\u0003\u00ff\u00ff\u00ff\u007f", "zzz" })
        {
            await subscriber.PublishAsync(connection.Routing.PubSub(channel), garbage);
        }

        await node.Broker.PublishAsync(channel, SeamExtensions.Draft("1"), Policy);

        var received = await node.Sink.WaitForAsync(channel, 1);
        Assert.Equal(1, Assert.Single(received).Offset);
        Assert.Empty(node.Sink.Ephemeral);
    }

    [Fact]
    public async Task Large_payloads_and_odd_channel_names_round_trip()
    {
        var node = _redis.Node(_time);
        var channel = $"public:a.b-c_d:e@f=g,h{Guid.NewGuid():N}";
        await node.SubscribeAsync(channel);
        var big = "\"" + new string('x', 60_000) + "\"";

        await node.Broker.PublishAsync(channel, SeamExtensions.Draft(big, "big.one", new Hubbub.Protocol.ClientInfo("a:b", "{}")), Policy);

        var received = Assert.Single(await node.Sink.WaitForAsync(channel, 1));
        Assert.Equal(big, System.Text.Encoding.UTF8.GetString(received.Data.Span));
        var stored = Assert.Single((await node.History.ReadAsync(channel, 0, null, 10)).Publications);
        Assert.Equal(received.Frame, stored.Frame);
    }

    [Fact]
    public async Task Reads_never_shorten_the_stream_position_kept_for_a_longer_history()
    {
        // Metadata outlives the history it numbers (docs/configuration.md, StreamMetaTtlSeconds): a read passes only
        // the metadata TTL (1 day by default) and must not cut back the 2 days a publication set.
        var node = _redis.Node(_time);
        var channel = NewChannel();
        await node.Broker.PublishAsync(channel, SeamExtensions.Draft("1"), new HistoryPolicy(10, TimeSpan.FromDays(2)));
        await node.History.GetTopAsync(channel);
        await node.History.ReadAsync(channel, 0, null, 10);

        var connection = _redis.Connect();
        var ttl = await (await connection.GetDatabaseAsync()).KeyTimeToLiveAsync(connection.Routing.History(channel)[0]);
        Assert.True(ttl > TimeSpan.FromDays(1.5), $"the stream's metadata expires in {ttl}");
    }

    private async Task DeleteChannelKeysAsync(string channel)
    {
        var connection = _redis.Connect();
        var db = await connection.GetDatabaseAsync();
        await db.KeyDeleteAsync(connection.Routing.History(channel));
    }
}
