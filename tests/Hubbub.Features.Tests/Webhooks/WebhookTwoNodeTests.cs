using System.Net;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Webhooks;

/// <summary>Two server nodes on one PostgreSQL database compete for the same deliveries: each is sent once.</summary>
public sealed class WebhookTwoNodeTests
{
    [Fact]
    public async Task Two_nodes_send_each_delivery_exactly_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var database = await ChatDatabase.CreateAsync("postgres");
        var settings = new Dictionary<string, string?>(database.Settings) { ["Kit:PollMs"] = "20", ["Webhooks:Concurrency"] = "4" };
        using var a = new TestServer(settings);
        using var b = new TestServer(settings);
        using var onA = new ServerApi(a.BaseAddress, TestServer.ApiKey);
        using var onB = new ServerApi(b.BaseAddress, TestServer.ApiKey);
        var type = Hooks.NewType("raced");
        var (webhook, path) = await Hooks.RegisterAsync(onA, receiver, type);
        var (second, secondPath) = await Hooks.RegisterAsync(onB, receiver, type);

        // Events committed on both nodes at once: each node wakes its own sender, and each polls for the other's.
        const int count = 40;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => Hooks.PostEventAsync(i % 2 == 0 ? onA : onB, type, $"user{i % 5}", new { i })));

        foreach (var (hook, at) in new[] { (webhook, path), (second, secondPath) })
        {
            var delivered = await receiver.DeliveredAsync(at, count);
            Assert.Equal(count, delivered.Select(h => h.Id).Distinct().Count());
            Assert.All(delivered, h => Assert.True(h.SignatureValid));
            var listed = await Hooks.WaitForDeliveriesAsync(onB, hook, "delivered", count);
            Assert.All(listed, d => Assert.Equal(1, d.GetProperty("attempts").GetInt32()));
        }
        await Task.Delay(300); // further sweeps on both nodes find nothing
        Assert.Equal(count, receiver.At(path).Count);
        Assert.Equal(count, receiver.At(secondPath).Count);
        Assert.True((await onA.GetAsync($"/api/webhooks/{webhook}/deliveries?state=pending")).Status == HttpStatusCode.OK);
    }
}
