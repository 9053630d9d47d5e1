using System.Text.Json;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>Three real server processes sharing one Redis act as one server.</summary>
[Collection(MultiNodeCollection.Name)]
public sealed class MultiNodeTests(ThreeNodes nodes) : IClassFixture<ThreeNodes>
{
    private static string NewChannel() => $"public:mn{Guid.NewGuid():N}";

    [Fact]
    public async Task A_publication_on_node_A_reaches_subscribers_on_B_and_C_exactly_once_with_agreeing_offsets()
    {
        var channel = NewChannel();
        await using var onA = await nodes.A.ConnectAsync("alice");
        await using var onB = await nodes.B.ConnectAsync("bob");
        await using var onC = await nodes.C.ConnectAsync("carol");
        var clients = new[] { onA, onB, onC };
        foreach (var client in clients)
        {
            await client.SubscribeAsync(channel);
        }

        var replies = new List<long>();
        for (var i = 1; i <= 20; i++)
        {
            var reply = await onA.OkAsync("publish", new { channel, data = new { n = i } });
            replies.Add(reply.GetProperty("offset").GetInt64());
        }
        var fromApi = await nodes.C.PublishAsync(channel, "{\"n\":21}");
        // A final marker: every frame sent before it has arrived once the marker has.
        var marker = await nodes.B.PublishAsync(channel, "{\"n\":22}");

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), replies);
        Assert.Equal((21L, 22L), (fromApi, marker));
        foreach (var client in clients)
        {
            var received = await client.WaitForPublicationsAsync(channel, 22);
            Assert.Equal(Enumerable.Range(1, 22).Select(i => (long)i), received.Select(f => f.GetProperty("offset").GetInt64()));
            Assert.Equal(Enumerable.Range(1, 22), received.Select(f => f.GetProperty("data").GetProperty("n").GetInt32()));
            Assert.Equal("alice", received[0].GetProperty("from").GetProperty("user").GetString());
        }
    }

    [Fact]
    public async Task Publications_sent_back_to_back_without_ids_keep_the_senders_order_on_every_node()
    {
        // Without an id the node's reader does not wait for each Redis round trip, so many of one connection's
        // publications are in flight together: the order they were sent in must still be the offset order everywhere.
        var channel = NewChannel();
        await using var publisher = await nodes.A.ConnectAsync("pia");
        await using var onA = await nodes.A.ConnectAsync("pam");
        await using var onB = await nodes.B.ConnectAsync("pol");
        foreach (var client in new[] { publisher, onA, onB })
        {
            await client.SubscribeAsync(channel);
        }

        const int count = 150; // under the default burst of the rate limit
        for (var i = 1; i <= count; i++)
        {
            await publisher.SendAsync(new { type = "publish", data = new { channel, data = new { n = i } } });
        }

        foreach (var client in new[] { publisher, onA, onB })
        {
            var received = await client.WaitForPublicationsAsync(channel, count);
            Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), received.Select(f => f.GetProperty("offset").GetInt64()));
            Assert.Equal(Enumerable.Range(1, count), received.Select(f => f.GetProperty("data").GetProperty("n").GetInt32()));
        }
        Assert.Empty(await publisher.PendingAfterSyncAsync(f => WsClient.Type(f) == "error"));
    }

    [Fact]
    public async Task Presence_is_the_same_seen_from_every_node()
    {
        var channel = NewChannel();
        await using var onA = await nodes.A.ConnectAsync("ann");
        await using var onB = await nodes.B.ConnectAsync("ben");
        await using var onC = await nodes.C.ConnectAsync("cid");
        await onA.SubscribeAsync(channel);
        await onB.SubscribeAsync(channel);
        await onC.SubscribeAsync(channel);

        // Joins made on B and C are announced to A's subscriber through Redis.
        await onA.WaitForAsync(f => WsClient.Type(f) == "presence_join" && User(f) == "ben");
        await onA.WaitForAsync(f => WsClient.Type(f) == "presence_join" && User(f) == "cid");
        foreach (var client in new[] { onA, onB, onC })
        {
            var members = await client.OkAsync("presence", new { channel });
            Assert.Equal(["ann", "ben", "cid"],
                members.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("user").GetString()).Order(StringComparer.Ordinal));
        }

        await onB.DisposeAsync();
        await onC.WaitForAsync(f => WsClient.Type(f) == "presence_leave" && User(f) == "ben");
        var after = await onA.OkAsync("presence", new { channel });
        Assert.Equal(["ann", "cid"], after.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("user").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_client_that_drops_from_A_and_reconnects_to_B_recovers_what_it_missed_with_no_gap()
    {
        var channel = NewChannel();
        var first = await nodes.A.ConnectAsync("dora");
        var subscribed = await first.SubscribeAsync(channel);
        var epoch = subscribed.GetProperty("epoch").GetString();
        for (var i = 1; i <= 3; i++)
        {
            await nodes.C.PublishAsync(channel, $"{{\"n\":{i}}}");
        }
        var seen = await first.WaitForPublicationsAsync(channel, 3);
        var lastSeen = seen[^1].GetProperty("offset").GetInt64();
        first.Abort(); // the network drops
        await first.DisposeAsync();

        for (var i = 4; i <= 8; i++)
        {
            await nodes.C.PublishAsync(channel, $"{{\"n\":{i}}}");
        }
        await using var again = await nodes.B.ConnectAsync("dora");
        var reply = await again.SubscribeAsync(channel, lastSeen, epoch);
        await nodes.A.PublishAsync(channel, "{\"n\":9}");

        Assert.True(reply.GetProperty("recovered").GetBoolean());
        Assert.Equal(8, reply.GetProperty("offset").GetInt64());
        Assert.Equal(epoch, reply.GetProperty("epoch").GetString());
        var received = await again.WaitForPublicationsAsync(channel, 6);
        Assert.Equal([4L, 5, 6, 7, 8, 9], received.Select(f => f.GetProperty("offset").GetInt64()));
        Assert.Equal([4, 5, 6, 7, 8, 9], received.Select(f => f.GetProperty("data").GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task A_position_from_another_epoch_is_not_recovered_on_any_node()
    {
        var channel = NewChannel();
        await nodes.A.PublishAsync(channel, "{\"n\":1}");
        await using var client = await nodes.B.ConnectAsync("eve");

        var reply = await client.SubscribeAsync(channel, 1, "00000000");

        Assert.False(reply.GetProperty("recovered").GetBoolean());
        Assert.Equal(1, reply.GetProperty("offset").GetInt64());
    }

    internal static string? User(JsonElement frame) =>
        frame.TryGetProperty("data", out var d) && d.TryGetProperty("user", out var u) ? u.GetString() : null;
}

/// <summary>Multi-node tests run one at a time: each starts several server processes on a small machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiNodeCollection
{
    public const string Name = "multi-node";
}
