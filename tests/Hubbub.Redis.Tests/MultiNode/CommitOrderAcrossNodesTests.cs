using System.Net.Http.Json;
using Hubbub.Testing;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>
/// A channel's live events follow the order their transactions committed across nodes (PostgreSQL + Redis): events of
/// one user sent through two nodes at once reach a subscriber with each <c>xp_gained</c>'s <c>total</c> above the one
/// before, on both nodes, and bids on one auction through two nodes reach a watcher with <c>bid_count</c> rising by one.
/// Without the per-channel sequence, two nodes committing within milliseconds published some the other way round.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class CommitOrderAcrossNodesTests
{
    [Fact]
    public async Task Events_of_one_user_through_two_nodes_are_told_live_in_commit_order_on_both_nodes()
    {
        Assert.True(await TestPostgres.DatabaseAsync() is not null, "needs the test PostgreSQL (./test.sh): the nodes must share one database");
        var prefix = TestRedis.UniquePrefix();
        await using var a = await ServerNode.StartAsync("order-a", TestRedis.Endpoint, prefix);
        await using var b = await ServerNode.StartAsync("order-b", TestRedis.Endpoint, prefix);
        var type = $"rep{Guid.NewGuid():N}"[..12];
        (await a.Http.PostAsJsonAsync("/api/rules", new { type, xp = 10 })).EnsureSuccessStatusCode();
        const int Rounds = 3, Events = 40;
        for (var round = 0; round < Rounds; round++)
        {
            var ada = $"ada-{Guid.NewGuid():N}"[..14];
            await using var onA = await a.ConnectAsync(ada);
            await using var onB = await b.ConnectAsync(ada);
            await onA.SubscribeAsync($"user:{ada}");
            await onB.SubscribeAsync($"user:{ada}");

            var answers = await Task.WhenAll(Enumerable.Range(0, Events).Select(i => Task.Run(() =>
                (i % 2 == 0 ? a : b).Http.PostAsJsonAsync("/api/events", new { id = Guid.NewGuid().ToString("N"), user = ada, type }))));
            Assert.All(answers, answer => answer.EnsureSuccessStatusCode());

            foreach (var ws in new[] { onA, onB })
            {
                var totals = new List<long>();
                for (var i = 0; i < Events; i++)
                {
                    var frame = await ws.NextAsync(f => f.TryGetProperty("type", out var t) && t.GetString() == "xp_gained", TimeSpan.FromSeconds(15));
                    totals.Add(frame.GetProperty("data").GetProperty("total").GetInt64());
                }
                Assert.Equal(Enumerable.Range(1, Events).Select(n => n * 10L), totals);
            }
        }
    }
}
