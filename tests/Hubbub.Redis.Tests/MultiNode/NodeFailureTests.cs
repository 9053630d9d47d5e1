using System.Net;
using System.Text.Json;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>Nodes that die and a Redis that goes away: each test starts processes of its own.</summary>
[Collection(MultiNodeCollection.Name)]
public sealed class NodeFailureTests
{
    private static string NewChannel() => $"public:nf{Guid.NewGuid():N}";

    [Fact]
    public async Task A_node_killed_with_SIGKILL_leaves_presence_within_the_configured_expiry()
    {
        const int ttlSeconds = 2;
        var prefix = TestRedis.UniquePrefix();
        var channel = NewChannel();
        await using var doomed = await ServerNode.StartAsync("doomed", TestRedis.Endpoint, prefix, ttlSeconds);
        await using var survivor = await ServerNode.StartAsync("survivor", TestRedis.Endpoint, prefix, ttlSeconds);
        await using var observer = await survivor.ConnectAsync("watcher");
        await observer.SubscribeAsync(channel);
        var victim = await doomed.ConnectAsync("victim");
        await victim.SubscribeAsync(channel);
        await observer.WaitForAsync(f => WsClient.Type(f) == "presence_join" && MultiNodeTests.User(f) == "victim");

        doomed.Kill();
        // Expiry (2 s) plus one sweep interval, with room for a loaded machine.
        var leave = await observer.WaitForAsync(f => WsClient.Type(f) == "presence_leave" && MultiNodeTests.User(f) == "victim",
            TimeSpan.FromSeconds(ttlSeconds * 5));
        var members = await observer.OkAsync("presence", new { channel });

        Assert.Equal(channel, WsClient.Channel(leave));
        Assert.Equal(["watcher"], members.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("user").GetString()));
        await victim.DisposeAsync();
    }

    [Fact]
    public async Task Redis_restarted_under_traffic_nodes_go_not_ready_recover_and_clients_learn_of_the_lost_history()
    {
        using var redis = RedisServerProcess.Start();
        var prefix = TestRedis.UniquePrefix();
        var channel = NewChannel();
        await using var a = await ServerNode.StartAsync("rr-a", redis.Endpoint, prefix);
        await using var b = await ServerNode.StartAsync("rr-b", redis.Endpoint, prefix);
        await using var onA = await a.ConnectAsync("ra");
        await using var onB = await b.ConnectAsync("rb");
        var subscribed = await onA.SubscribeAsync(channel);
        await onB.SubscribeAsync(channel);
        var oldEpoch = subscribed.GetProperty("epoch").GetString();

        // Traffic: publish through A all along, outage included (those attempts fail).
        using var stopTraffic = new CancellationTokenSource();
        var traffic = Task.Run(async () =>
        {
            var sent = 0;
            while (!stopTraffic.IsCancellationRequested && sent < 10_000)
            {
                sent++;
                try
                {
                    await a.PublishAsync(channel, $"{{\"n\":{sent}}}");
                }
                catch (HttpRequestException)
                {
                    // Redis is away: the publish fails loudly, nothing is silently dropped.
                }
                catch (TaskCanceledException)
                {
                    // An HTTP timeout while Redis is away.
                }
                await Task.Delay(50);
            }
        });
        await onB.WaitForPublicationsAsync(channel, 3);

        redis.Stop();
        await a.WaitForReadyAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20));
        await b.WaitForReadyAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20));
        // Local connections stay alive while Redis is away.
        var pong = await onB.OkAsync("ping", new { x = 1 });
        Assert.Equal(1, pong.GetProperty("x").GetInt32());
        Assert.False(onA.Closed);
        // What needs Redis fails visibly instead of being accepted and lost.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => onB.OkAsync("publish", new { channel, data = new { n = -1 } }));
        Assert.Contains("\"internal\"", refused.Message, StringComparison.Ordinal);
        var apiRefused = await Assert.ThrowsAsync<HttpRequestException>(() => b.PublishAsync(channel, "{\"n\":-2}"));
        Assert.True((int?)apiRefused.StatusCode >= 500, $"API publish answered {apiRefused.StatusCode}");
        await Assert.ThrowsAsync<InvalidOperationException>(() => onB.OkAsync("presence", new { channel }));

        redis.Restart();
        await a.WaitForReadyAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        await b.WaitForReadyAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30));

        // Both subscribers learn that the stream restarted, then get the new epoch's publications gap-free.
        foreach (var client in new[] { onA, onB })
        {
            var reset = await client.WaitForAsync(f => WsClient.Type(f) == "stream_reset" && WsClient.Channel(f) == channel,
                TimeSpan.FromSeconds(30));
            Assert.NotEqual(oldEpoch, reset.GetProperty("data").GetProperty("epoch").GetString());
            await client.WaitForAsync(f => Offset(f) == 3 && IsAfterReset(client.Frames, f), TimeSpan.FromSeconds(30));
        }
        await stopTraffic.CancelAsync();
        await traffic;

        foreach (var client in new[] { onA, onB })
        {
            AssertNoSilentGap(client.Frames, channel);
        }
        // A client that comes back with a position from before the restart is told its history is gone.
        await using var late = await b.ConnectAsync("late");
        var reply = await late.SubscribeAsync(channel, 3, oldEpoch);
        Assert.False(reply.GetProperty("recovered").GetBoolean());
        Assert.NotEqual(oldEpoch, reply.GetProperty("epoch").GetString());
    }

    [Fact]
    public async Task A_node_started_while_Redis_is_down_is_not_ready_until_Redis_comes_up()
    {
        var port = LoopbackPort.Free();
        await using var node = await ServerNode.StartAsync("early", $"127.0.0.1:{port}", TestRedis.UniquePrefix(),
            waitFor: HttpStatusCode.ServiceUnavailable);

        using var redis = RedisServerProcess.Start(port);
        await node.WaitForReadyAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30));

        var channel = NewChannel();
        await using var client = await node.ConnectAsync("early-bird");
        await client.SubscribeAsync(channel);
        Assert.Equal(1, await node.PublishAsync(channel, "{\"n\":1}"));
        await client.WaitForPublicationsAsync(channel, 1);
    }

    [Fact]
    public async Task Invalid_Redis_settings_stop_the_node_at_start_with_the_reason()
    {
        await using var node = await ServerNode.StartAsync("invalid", TestRedis.Endpoint, TestRedis.UniquePrefix(), presenceTtlSeconds: 0,
            waitFor: null);

        var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("PresenceTtlSeconds must be at least 1", node.Output, StringComparison.Ordinal);
    }

    private static long? Offset(JsonElement frame) =>
        frame.TryGetProperty("offset", out var o) ? o.GetInt64() : null;

    private static bool IsAfterReset(IReadOnlyList<JsonElement> frames, JsonElement frame)
    {
        var reset = -1;
        for (var i = 0; i < frames.Count; i++)
        {
            if (WsClient.Type(frames[i]) == "stream_reset")
            {
                reset = i;
            }
            if (frames[i].GetRawText() == frame.GetRawText() && reset >= 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Each epoch is delivered up by exactly one: from offset 1, or after the offset a <c>stream_reset</c> named (what
    /// it announced lost).
    /// </summary>
    private static void AssertNoSilentGap(IReadOnlyList<JsonElement> frames, string channel)
    {
        long previous = 0;
        foreach (var frame in frames.Where(f => WsClient.Channel(f) == channel))
        {
            if (WsClient.Type(frame) == "stream_reset")
            {
                previous = frame.GetProperty("data").GetProperty("offset").GetInt64();
                continue;
            }
            if (Offset(frame) is { } offset)
            {
                Assert.True(offset == previous + 1, $"offset {offset} followed {previous} without a stream_reset:\n{string.Join("\n", frames)}");
                previous = offset;
            }
        }
    }
}
