using System.Net.Http.Json;
using System.Text.Json;
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

    [Fact]
    public async Task Bids_on_one_auction_through_two_nodes_reach_a_watcher_with_bid_count_and_price_rising()
    {
        Assert.True(await TestPostgres.DatabaseAsync() is not null, "needs the test PostgreSQL (./test.sh): the nodes must share one database");
        var prefix = TestRedis.UniquePrefix();
        await using var a = await ServerNode.StartAsync("bids-a", TestRedis.Endpoint, prefix);
        await using var b = await ServerNode.StartAsync("bids-b", TestRedis.Endpoint, prefix);
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var bidders = Enumerable.Range(0, 4).Select(i => $"b{i}-{suffix}").ToList();
        foreach (var user in bidders)
        {
            (await a.Http.PostAsJsonAsync("/api/wallet/grants", new { user, currency = "coins", amount = 10_000_000, id = "g-" + user })).EnsureSuccessStatusCode();
        }
        var created = await a.Http.PostAsJsonAsync("/api/auctions", new { seller = $"s-{suffix}", title = "Order", currency = "coins", starting_bid = 10,
            min_increment = 1, ends_at = DateTimeOffset.UtcNow.AddMinutes(10).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture) });
        created.EnsureSuccessStatusCode();
        var auction = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await using var watcher = await b.ConnectAsync($"w-{suffix}");
        await watcher.SubscribeAsync($"auction:{auction}");

        // Four bidders, two through each node, each bidding the auction's next minimum over and over: their bids commit one
        // after another on the auction's row, half on each node, within milliseconds of each other.
        await Task.WhenAll(bidders.Select((user, i) => Task.Run(async () =>
        {
            var node = i % 2 == 0 ? a : b;
            for (var round = 0; round < 25; round++)
            {
                var view = await node.Http.GetFromJsonAsync<JsonElement>($"/api/auctions/{auction}");
                using var bid = await node.Http.PostAsJsonAsync($"/api/auctions/{auction}/bids", new { user, amount = view.GetProperty("min_next_bid").GetInt64() });
            }
        })));

        var count = (await a.Http.GetFromJsonAsync<JsonElement>($"/api/auctions/{auction}")).GetProperty("bid_count").GetInt64();
        Assert.True(count > 10, $"only {count} bids went through");
        await watcher.NextAsync(f => IsBid(f) && f.GetProperty("data").GetProperty("bid_count").GetInt64() == count, TimeSpan.FromSeconds(20));
        var bids = watcher.Frames.Where(IsBid).Select(f => f.GetProperty("data")).ToList();
        Assert.Equal(Enumerable.Range(1, (int)count).Select(n => (long)n), bids.Select(d => d.GetProperty("bid_count").GetInt64()));
        var prices = bids.Select(d => d.GetProperty("price").GetInt64()).ToList();
        Assert.Equal(prices.Order(), prices);
        Assert.Equal(prices.Count, prices.Distinct().Count());

        static bool IsBid(JsonElement frame) => frame.TryGetProperty("type", out var type) && type.GetString() == "bid_placed";
    }
}
