using System.Net;
using System.Text.Json;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>
/// A Redis that crashes, restarts empty or hangs under a steady publisher: every publish is answered in time,
/// and every acknowledged publication reaches every subscriber on every node, or they are told it never will.
/// Each test runs a redis-server of its own, so the suite's shared Redis is not disturbed.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class RedisOutageTests
{
    private static readonly TimeSpan AnswerDeadline = TimeSpan.FromSeconds(5);

    private static string NewChannel() => $"public:ro{Guid.NewGuid():N}";

    [Theory]
    [InlineData(200)] // history holds what a node missed: it is delivered
    [InlineData(0)] // no history: what a node missed is announced lost
    public async Task Redis_killed_and_restarted_empty_every_acknowledged_publication_reaches_every_subscriber_or_is_announced(int historySize)
    {
        using var redis = RedisServerProcess.Start();
        var prefix = TestRedis.UniquePrefix();
        var channel = NewChannel();
        var environment = new Dictionary<string, string> { ["Hubbub__Namespaces__public__HistorySize"] = $"{historySize}" };
        await using var a = await ServerNode.StartAsync("rk-a", $"{redis.Endpoint},name=rk-a", prefix, environment: environment);
        await using var b = await ServerNode.StartAsync("rk-b", $"{redis.Endpoint},name=rk-b", prefix, environment: environment);
        await using var onA = await a.ConnectAsync("sub-a");
        await using var onB1 = await b.ConnectAsync("sub-b1");
        await using var onB2 = await b.ConnectAsync("sub-b2");
        var subscribers = new[] { onA, onB1, onB2 };
        var replies = new List<JsonElement>();
        foreach (var subscriber in subscribers)
        {
            replies.Add(await subscriber.SubscribeAsync(channel));
        }
        await using var publisherClient = await a.ConnectAsync("publisher");
        await using var publisher = PacedPublisher.Start(publisherClient, channel, perSecond: 50);
        await publisher.WaitForAcknowledgedAsync(10, TimeSpan.FromSeconds(15));

        redis.Kill();
        await b.WaitForReadyAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20));
        await publisher.WaitForSentAsync(publisher.Outcomes.Count + 400, TimeSpan.FromSeconds(30)); // 8 s of outage
        var beforeRestart = publisher.Outcomes.Count(o => o.Offset is not null);
        redis.Restart();
        await a.WaitForReadyAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        await b.WaitForReadyAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        await publisher.WaitForAcknowledgedAsync(beforeRestart + 25, TimeSpan.FromSeconds(30));
        // Then B alone loses its pub/sub connection for a moment: what it misses meanwhile is in history, or not.
        Assert.Equal(1, redis.DropPubSubConnections("rk-b"));
        await publisher.WaitForAcknowledgedAsync(publisher.Outcomes.Count(o => o.Offset is not null) + 50, TimeSpan.FromSeconds(30));
        var outcomes = await publisher.StopAndCollectAsync(TimeSpan.FromSeconds(15));

        var acknowledged = outcomes.Where(o => o.Offset is not null).ToList();
        await using var probe = await b.ConnectAsync("probe");
        var newEpoch = (await probe.SubscribeAsync(channel)).GetProperty("epoch").GetString()!;
        var last = acknowledged[^1];
        for (var i = 0; i < subscribers.Length; i++)
        {
            var subscriber = subscribers[i];
            // Delivery ends with the last acknowledged publication, or a reset past it.
            await subscriber.WaitUntilAsync(() => Reached(subscriber.Frames, channel, newEpoch, last), $"publication {last.N}",
                TimeSpan.FromSeconds(20));
            var seen = Follow(subscriber.Frames, channel, replies[i]);
            Assert.Contains(seen.Resets, r => r.Epoch == newEpoch); // the old stream is gone: everyone is told
            foreach (var publication in SplitByEpoch(acknowledged, replies[i].GetProperty("epoch").GetString()!, newEpoch))
            {
                var received = seen.Received.Contains(publication.N);
                var announced = publication.Epoch == newEpoch
                    ? seen.Resets.Any(r => r.Epoch == newEpoch && r.Offset >= publication.Offset)
                    : seen.Resets.Any(r => r.Epoch != publication.Epoch); // a reset to another epoch announces the old one's tail lost
                Assert.True(received || announced,
                    $"{subscriber.User}: publication {publication.N} ({publication.Epoch}:{publication.Offset}) was acknowledged but neither delivered nor announced lost:\n{string.Join("\n", subscriber.Frames)}");
                if (historySize > 0 && publication.Epoch == newEpoch)
                {
                    Assert.True(received, $"{subscriber.User}: history holds {publication.N} ({publication.Offset}) of the new epoch, yet it was not delivered");
                }
            }
        }
        // What was sent during the outage failed visibly, at once, instead of being acknowledged after it, and the
        // publisher stayed connected.
        Assert.False(publisherClient.Closed);
        Assert.Contains(outcomes, o => o.ErrorCode == "internal");
        Assert.All(outcomes, o => Assert.True(o.Offset is not null || o.ErrorCode == "internal", $"publish {o.N}: {o.Answer}"));
    }

    [Fact]
    public async Task While_Redis_is_down_or_hangs_a_steady_publisher_gets_every_answer_within_5_s_and_is_never_rate_limited()
    {
        using var redis = RedisServerProcess.Start();
        var channel = NewChannel();
        // A small burst: a backlog the server let build up would be refused at once if it counted against the client.
        var environment = new Dictionary<string, string> { ["Hubbub__MessagesPerSecond"] = "100", ["Hubbub__Burst"] = "20" };
        await using var node = await ServerNode.StartAsync("outage", redis.Endpoint, TestRedis.UniquePrefix(), environment: environment);
        await using var client = await node.ConnectAsync("steady");
        await client.SubscribeAsync(channel);
        await using var publisher = PacedPublisher.Start(client, channel, perSecond: 50);
        await publisher.WaitForAcknowledgedAsync(10, TimeSpan.FromSeconds(15));

        // A crash: the connection drops, for 3 s of publishing.
        redis.Kill();
        await publisher.WaitForSentAsync(publisher.Outcomes.Count + 150, TimeSpan.FromSeconds(20));
        var afterCrash = publisher.Outcomes.Count;
        redis.Restart();
        await node.WaitForReadyAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        await publisher.WaitForAcknowledgedAsync(publisher.Outcomes.Count(o => o.Offset is not null) + 10, TimeSpan.FromSeconds(20));

        // A hang: the connection stays up and Redis answers nothing for 7 s.
        var beforeHang = publisher.Outcomes.Count;
        redis.Pause(TimeSpan.FromSeconds(7));
        await publisher.WaitForSentAsync(beforeHang + 350, TimeSpan.FromSeconds(20));
        await publisher.WaitForAcknowledgedAsync(publisher.Outcomes.Count(o => o.Offset is not null) + 25, TimeSpan.FromSeconds(20));
        var outcomes = await publisher.StopAndCollectAsync(TimeSpan.FromSeconds(15));

        Assert.False(client.Closed);
        Assert.True(!outcomes.Any(o => o.ErrorCode == "rate_limited"), string.Join("\n", outcomes.Select(o =>
            $"{o.N} sent {System.Diagnostics.Stopwatch.GetElapsedTime(outcomes[0].Sent, o.Sent).TotalMilliseconds:0} ms, {o.ErrorCode ?? o.Offset?.ToString(System.Globalization.CultureInfo.InvariantCulture)} after {o.Latency.TotalMilliseconds:0} ms")));
        Assert.All(outcomes, o => Assert.True(o.Offset is not null || o.ErrorCode == "internal", $"publish {o.N}: {o.Answer}"));
        var late = outcomes.Where(o => o.Latency > AnswerDeadline + TimeSpan.FromMilliseconds(500)).ToList();
        Assert.True(late.Count == 0, late.Count == 0 ? "" :
            $"{late.Count} publishes answered after {AnswerDeadline.TotalSeconds} s, the slowest in {late.Max(o => o.Latency).TotalSeconds:0.0} s");
        // Both outages were real (publishes were refused in each), and publishing works again after each.
        Assert.Contains(outcomes.Take(afterCrash), o => o.ErrorCode == "internal");
        Assert.Contains(outcomes.Skip(beforeHang), o => o.ErrorCode == "internal");
        Assert.Contains(outcomes.Skip(afterCrash).Take(beforeHang - afterCrash), o => o.Offset is not null);
        Assert.NotNull(outcomes[^1].Offset);
    }

    /// <summary>An acknowledged publication with the epoch it was published in.</summary>
    private sealed record Acknowledged(int N, long Offset, string Epoch);

    /// <summary>
    /// Publishes are answered in the order they were sent, and offsets grow by 1 within an epoch: the first offset
    /// that does not grow starts the new epoch.
    /// </summary>
    private static IEnumerable<Acknowledged> SplitByEpoch(IReadOnlyList<PublishOutcome> acknowledged, string oldEpoch, string newEpoch)
    {
        var epoch = oldEpoch;
        long previous = 0;
        foreach (var outcome in acknowledged)
        {
            if (outcome.Offset!.Value <= previous)
            {
                epoch = newEpoch;
            }
            previous = outcome.Offset.Value;
            yield return new Acknowledged(outcome.N, previous, epoch);
        }
    }

    private sealed record Seen(HashSet<int> Received, List<(string Epoch, long Offset)> Resets);

    /// <summary>
    /// Follows a subscriber's frames on the channel from its subscribe reply: each publication must continue the
    /// position by exactly 1 (else it was a silent gap), and each <c>stream_reset</c> moves the position.
    /// </summary>
    private static Seen Follow(IReadOnlyList<JsonElement> frames, string channel, JsonElement reply)
    {
        var epoch = reply.GetProperty("epoch").GetString()!;
        var position = reply.GetProperty("offset").GetInt64();
        var seen = new Seen([], []);
        foreach (var frame in frames.Where(f => WsClient.Channel(f) == channel))
        {
            if (WsClient.Type(frame) == "stream_reset")
            {
                epoch = frame.GetProperty("data").GetProperty("epoch").GetString()!;
                position = ResetOffset(frame);
                seen.Resets.Add((epoch, position));
                continue;
            }
            if (frame.TryGetProperty("offset", out var offset))
            {
                Assert.True(offset.GetInt64() == position + 1,
                    $"offset {offset.GetInt64()} followed {epoch}:{position} without a stream_reset:\n{string.Join("\n", frames)}");
                position = offset.GetInt64();
                seen.Received.Add(frame.GetProperty("data").GetProperty("n").GetInt32());
            }
        }
        return seen;
    }

    /// <summary>True once the subscriber has the last publication, or a reset of its epoch at or past it.</summary>
    private static bool Reached(IReadOnlyList<JsonElement> frames, string channel, string epoch, PublishOutcome last) =>
        frames.Any(f => WsClient.Channel(f) == channel
            && ((f.TryGetProperty("offset", out _) && f.GetProperty("data").GetProperty("n").GetInt32() == last.N)
                || (WsClient.Type(f) == "stream_reset" && f.GetProperty("data").GetProperty("epoch").GetString() == epoch
                    && ResetOffset(f) >= last.Offset)));

    /// <summary>Where a <c>stream_reset</c> says delivery goes on (a reset without an offset promised the whole new epoch).</summary>
    private static long ResetOffset(JsonElement reset) =>
        reset.GetProperty("data").TryGetProperty("offset", out var offset) ? offset.GetInt64() : 0;
}
