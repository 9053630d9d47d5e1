using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests;

/// <summary>
/// A node killed between a commit and its publication publishes it when it comes back: the server runs as a real
/// process that the fault injection (<see cref="CrashAfterCommit"/>) ends right after the commit; restarted on the same
/// database it delivers what the dead process owed.
/// </summary>
public sealed class OutboxCrashTests
{
    private const string ApiKey = "crash-test-api-key";

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_node_killed_after_a_commit_publishes_its_events_when_it_restarts(string engine)
    {
        await using var database = await ChatDatabase.CreateAsync(engine);
        using var crash = new CrashAfterCommit(database, ApiKey);
        var (ada, bob, room) = ($"ada-{Guid.NewGuid():N}"[..12], $"bob-{Guid.NewGuid():N}"[..12], $"r{Guid.NewGuid():N}"[..12]);

        // The commit (the room, bob's membership, his notification, the outbox rows) happens; the process dies before publishing.
        await crash.CrashAsync(api => api.PostAsync("/api/rooms", new { id = room, members = new[] { bob }, user = ada }));

        var (revived, address) = await crash.StartAsync();
        await using var restarted = revived;
        using (var api = new ServerApi(address, ApiKey))
        {
            var stored = await api.GetAsync($"/api/rooms/{room}?user={ada}");
            Assert.True(stored.Status == HttpStatusCode.OK, stored.ToString()); // the change was committed
        }
        // bob's channel now holds room_added, published by the restarted node (its history: it may have gone out before bob looked).
        await using var bobWs = await WsClient.ConnectAsync(new UriBuilder(address) { Scheme = "ws", Path = "/ws",
            Query = "access_token=" + TestTokens.For(bob, key: ServerProcess.SigningKey) }.Uri);
        await bobWs.SubscribeAsync($"user:{bob}");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        List<string?> types = [];
        while (DateTime.UtcNow < deadline)
        {
            var history = await bobWs.OkAsync("history", new { channel = $"user:{bob}" });
            types = [.. history.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("type").GetString())];
            if (types.Contains("room_added") && types.Contains("notification"))
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.Equal(1, types.Count(t => t == "room_added")); // published once, after the restart
        Assert.Equal(1, types.Count(t => t == "notification"));
    }
}
