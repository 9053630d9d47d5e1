using System.Net.Http.Json;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>
/// On Redis the outbox publishes a run of one channel's publications of a commit in one script (one round trip): the
/// <c>overtaken</c> and inbox <c>notification</c> a passed user gets from one score arrive in order, with consecutive
/// offsets, each once, on every node.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class OutboxRunsOnRedisTests
{
    [Fact]
    public async Task A_passed_user_gets_overtaken_then_its_notification_with_consecutive_offsets_on_both_nodes()
    {
        using var redis = RedisServerProcess.Start();
        var prefix = TestRedis.UniquePrefix();
        await using var a = await ServerNode.StartAsync("runs-a", redis.Endpoint, prefix);
        await using var b = await ServerNode.StartAsync("runs-b", redis.Endpoint, prefix);
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var (board, type) = ($"pts{suffix}", $"pts{suffix}");
        var (passed, other, passer) = ($"p-{suffix}", $"o-{suffix}", $"r-{suffix}");
        (await a.Http.PostAsJsonAsync("/api/leaderboards", new { key = board, name = "Points", source = $"{type}:n" })).EnsureSuccessStatusCode();
        foreach (var (user, n) in new[] { (passed, 5), (other, 3) })
        {
            (await a.Http.PostAsJsonAsync("/api/events", new { id = Guid.NewGuid().ToString("N"), user, type, data = new { n } })).EnsureSuccessStatusCode();
        }
        await using var onA = await a.ConnectAsync(passed);
        await using var onB = await b.ConnectAsync(passed);
        var channel = $"user:{passed}";
        await onA.SubscribeAsync(channel);
        await onB.SubscribeAsync(channel);

        (await a.Http.PostAsJsonAsync("/api/events", new { id = Guid.NewGuid().ToString("N"), user = passer, type, data = new { n = 10 } })).EnsureSuccessStatusCode();

        foreach (var ws in new[] { onA, onB })
        {
            var got = await ws.PublicationsAsync(channel, 2, TimeSpan.FromSeconds(10));
            Assert.Equal(["overtaken", "notification"], got.Select(f => f.GetProperty("type").GetString()));
            Assert.Equal(got[0].GetProperty("offset").GetInt64() + 1, got[1].GetProperty("offset").GetInt64());
            Assert.Equal((passer, 2L), (got[0].GetProperty("data").GetProperty("by").GetString(), got[0].GetProperty("data").GetProperty("rank").GetInt64()));
            Assert.Empty(await ws.PendingAfterSyncAsync(f => f.TryGetProperty("offset", out _))); // each once
        }
    }
}
