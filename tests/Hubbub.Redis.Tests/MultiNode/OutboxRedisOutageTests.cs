using System.Net;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>
/// A feature's event committed while Redis is down is published once Redis is back (found by the bench's chaos run:
/// the outbox took the broker's "cannot reach" refusal for a permanent one and dropped the event, so a chat message
/// acknowledged during a Redis restart reached no subscriber and no history, and nobody was told).
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class OutboxRedisOutageTests
{
    [Fact]
    public async Task A_message_committed_while_Redis_is_down_is_published_when_Redis_is_back()
    {
        using var redis = RedisServerProcess.Start();
        var environment = new Dictionary<string, string>
        {
            // Quick retries, so the test does not wait out the default backoff.
            ["Kit__RetryBaseMs"] = "100",
            ["Kit__RetryMaxMs"] = "500",
        };
        await using var node = await ServerNode.StartAsync("outbox-outage", redis.Endpoint, TestRedis.UniquePrefix(), environment: environment);
        var (ada, bob) = ($"ada-{Guid.NewGuid():N}"[..14], $"bob-{Guid.NewGuid():N}"[..14]);
        await using var adaWs = await node.ConnectAsync(ada);
        var conversation = (await adaWs.OkAsync("chat.create", new { kind = "group", title = "outage", participants = new[] { bob } }))
            .GetProperty("id").GetString()!;

        redis.Kill();
        await node.WaitForReadyAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20));
        // The database is up: the message is committed and acknowledged; its event cannot go out yet.
        var sent = await adaWs.OkAsync("chat.send", new { conversation, text = "during the outage", client_id = "outage-1" });
        Assert.Equal("during the outage", sent.GetProperty("text").GetString());
        redis.Restart();
        await node.WaitForReadyAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30));

        await using var bobWs = await node.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"conversation:{conversation}");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var clientIds = new List<string?>();
        while (DateTime.UtcNow < deadline)
        {
            var history = await bobWs.OkAsync("history", new { channel = $"conversation:{conversation}" });
            clientIds = [.. history.GetProperty("publications").EnumerateArray()
                .Where(p => p.GetProperty("type").GetString() == "message")
                .Select(p => p.GetProperty("data").TryGetProperty("client_id", out var c) ? c.GetString() : null)];
            if (clientIds.Count > 0)
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.Equal(["outage-1"], clientIds); // published once, after Redis came back
    }
}
