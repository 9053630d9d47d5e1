using System.Text.Json;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>PROTOCOL: gap-free recovery with <c>since</c>, and <c>recovered:false</c> when history cannot cover it.</summary>
public sealed class RecoveryTests : IClassFixture<SharedServer>
{
    private readonly TestServer _server;

    public RecoveryTests(SharedServer shared) => _server = shared.Server;

    private static string Channel() => "public:" + Guid.NewGuid().ToString("N");

    private async Task PublishViaApiAsync(string channel, int i)
    {
        var response = await _server.PublishAsync(JsonSerializer.Serialize(new { channel, data = new { i } }));
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Dropped_connection_recovers_missed_publications_with_no_gap_and_no_duplicate()
    {
        var channel = Channel();
        var first = await _server.ConnectAsync("r1");
        var sub = await first.SubscribeAsync(channel);
        var epoch = sub.GetProperty("epoch").GetString();
        for (var i = 1; i <= 3; i++)
        {
            await PublishViaApiAsync(channel, i);
        }
        var seen = await first.PublicationsAsync(channel, 3);
        var lastSeen = seen[^1].Offset();
        first.Abort();
        await first.DisposeAsync();

        for (var i = 4; i <= 8; i++)
        {
            await PublishViaApiAsync(channel, i);
        }

        await using var second = await _server.ConnectAsync("r1");
        var reply = await second.SubscribeAsync(channel, new { offset = lastSeen, epoch });
        Assert.True(reply.GetProperty("recovered").GetBoolean());
        Assert.Equal(8, reply.GetProperty("offset").GetInt64());
        Assert.Equal(epoch, reply.GetProperty("epoch").GetString());

        await PublishViaApiAsync(channel, 9);
        var recovered = await second.PublicationsAsync(channel, 6);
        Assert.Equal([4L, 5, 6, 7, 8, 9], recovered.Select(f => f.Offset()));
        Assert.Equal([4, 5, 6, 7, 8, 9], recovered.Select(f => f.GetProperty("data").GetProperty("i").GetInt32()));
        Assert.Empty(await second.PendingAfterSyncAsync(f => f.Channel() == channel));
    }

    [Fact]
    public async Task Reply_precedes_replayed_publications()
    {
        var channel = Channel();
        await using var c = await _server.ConnectAsync("r2");
        var epoch = (await c.SubscribeAsync(channel)).GetProperty("epoch").GetString();
        await c.OkAsync("unsubscribe", new { channel });
        await PublishViaApiAsync(channel, 1);
        await PublishViaApiAsync(channel, 2);

        await c.SendAsync(new { type = "subscribe", id = 99, data = new { channel, since = new { offset = 0, epoch } } });
        var firstFrame = await c.NextAsync(f => f.Channel() == channel || f.Type() == "reply");
        Assert.Equal("reply", firstFrame.Type());
        Assert.Equal([1L, 2], (await c.PublicationsAsync(channel, 2)).Select(f => f.Offset()));
    }

    [Fact]
    public async Task Live_publications_during_recovery_are_neither_lost_nor_duplicated()
    {
        var channel = Channel();
        await using var c = await _server.ConnectAsync("r3");
        var epoch = (await c.SubscribeAsync(channel)).GetProperty("epoch").GetString();
        await c.OkAsync("unsubscribe", new { channel });
        for (var i = 1; i <= 20; i++)
        {
            await PublishViaApiAsync(channel, i);
        }

        using var stop = new CancellationTokenSource();
        var publisher = Task.Run(async () =>
        {
            for (var i = 21; i <= 60; i++)
            {
                await PublishViaApiAsync(channel, i);
            }
        });
        await c.SubscribeAsync(channel, new { offset = 0, epoch });
        await publisher;
        var all = await c.PublicationsAsync(channel, 60);
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), all.Select(f => f.Offset()));
        Assert.Empty(await c.PendingAfterSyncAsync(f => f.Channel() == channel));
    }

    [Fact]
    public async Task Stale_epoch_is_not_recovered_and_replays_nothing()
    {
        var channel = Channel();
        await PublishViaApiAsync(channel, 1);
        await using var c = await _server.ConnectAsync("r4");
        var reply = await c.SubscribeAsync(channel, new { offset = 0, epoch = "not-the-epoch" });
        Assert.False(reply.GetProperty("recovered").GetBoolean());
        Assert.Equal(1, reply.GetProperty("offset").GetInt64());
        Assert.Empty(await c.PendingAfterSyncAsync(f => f.Channel() == channel));
    }

    [Fact]
    public async Task Offset_beyond_the_stream_is_not_recovered()
    {
        var channel = Channel();
        await using var c = await _server.ConnectAsync("r5");
        var epoch = (await c.SubscribeAsync(channel)).GetProperty("epoch").GetString();
        await c.OkAsync("unsubscribe", new { channel });
        var reply = await c.SubscribeAsync(channel, new { offset = 50, epoch });
        Assert.False(reply.GetProperty("recovered").GetBoolean());
    }

    [Fact]
    public async Task Up_to_date_since_is_recovered_with_nothing_to_replay()
    {
        var channel = Channel();
        await PublishViaApiAsync(channel, 1);
        await using var c = await _server.ConnectAsync("r6");
        var first = await c.SubscribeAsync(channel);
        await c.OkAsync("unsubscribe", new { channel });
        var reply = await c.SubscribeAsync(channel, new { offset = 1, epoch = first.GetProperty("epoch").GetString() });
        Assert.True(reply.GetProperty("recovered").GetBoolean());
        Assert.Empty(await c.PendingAfterSyncAsync(f => f.Channel() == channel));
    }

    [Fact]
    public async Task History_trimmed_by_size_is_reported_as_not_recovered()
    {
        using var server = new TestServer(new() { ["Hubbub:Namespaces:public:HistorySize"] = "3" });
        var channel = Channel();
        await using var c = await server.ConnectAsync("r7");
        var epoch = (await c.SubscribeAsync(channel)).GetProperty("epoch").GetString();
        await c.OkAsync("unsubscribe", new { channel });
        for (var i = 1; i <= 5; i++)
        {
            await c.OkAsync("publish", new { channel, data = i });
        }
        var missedTooMuch = await c.SubscribeAsync(channel, new { offset = 1, epoch });
        Assert.False(missedTooMuch.GetProperty("recovered").GetBoolean());
        await c.OkAsync("unsubscribe", new { channel });
        var withinHistory = await c.SubscribeAsync(channel, new { offset = 2, epoch });
        Assert.True(withinHistory.GetProperty("recovered").GetBoolean());
        Assert.Equal([3L, 4, 5], (await c.PublicationsAsync(channel, 3)).Select(f => f.Offset()));
    }

    [Fact]
    public async Task Malformed_since_is_a_bad_request()
    {
        await using var c = await _server.ConnectAsync("r8");
        var noEpoch = await c.RequestAsync("subscribe", new { channel = Channel(), since = new { offset = 1 } });
        Assert.Equal("bad_request", noEpoch.ErrorCode());
        var negative = await c.RequestAsync("subscribe", new { channel = Channel(), since = new { offset = -1, epoch = "x" } });
        Assert.Equal("bad_request", negative.ErrorCode());
        var wrongType = await c.RequestAsync("subscribe", new { channel = Channel(), since = "yesterday" });
        Assert.Equal("bad_request", wrongType.ErrorCode());
    }
}
