using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;
using Hubbub.Testing;

namespace Hubbub.Features.Tests.Auctions;

/// <summary>
/// Auctions across real server processes on one PostgreSQL database and one Redis: concurrent bids through two nodes
/// (the highest valid one wins, one hold), a node killed at the end (the other settles, once), and a node killed between
/// the settlement's commit and its events (the next node publishes them, once; nothing is paid twice), and a node that dies
/// in the middle of a settlement (nothing of it commits; the next node settles once).
/// </summary>
public sealed class AuctionClusterTests
{
    private const string ApiKey = "auction-cluster-api-key";

    [Fact]
    public async Task Two_nodes_take_concurrent_bids_and_the_survivor_settles_once_when_the_other_is_killed_at_the_end()
    {
        var cluster = await ClusterAsync();
        await using var a = await NodeAsync(cluster);
        await using var b = await NodeAsync(cluster);
        using var apiA = new ServerApi(a.BaseAddress, ApiKey);
        using var apiB = new ServerApi(b.BaseAddress, ApiKey);
        var seller = Users.New("seller");
        var bidders = Enumerable.Range(0, 16).Select(i => Users.New($"n{i}")).ToList();
        foreach (var user in bidders)
        {
            Assert.Equal(HttpStatusCode.Created, (await apiA.PostAsync("/api/wallet/grants", new { user, currency = "coins", amount = 10_000, id = "g-" + user })).Status);
        }
        var endsAt = DateTimeOffset.UtcNow.AddSeconds(12);
        var created = await apiA.PostAsync("/api/auctions", new { seller, title = "Two nodes", currency = "coins", starting_bid = 100, min_increment = 10,
            ends_at = AuctionHouse.Iso(endsAt) });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var auction = created.Body.GetProperty("id").GetString()!;
        await using var watcher = await WsClient.ConnectAsync(WebSocketUri(b, Users.New("watcher")));
        await watcher.SubscribeAsync($"auction:{auction}");

        // Half the bidders bid through each node, half of them with a maximum: amounts 37 apart, so the top one is valid whatever came first.
        var bids = bidders.Select((user, i) => (User: user, Value: 150L + 37 * ((i * 5) % bidders.Count), Proxy: i % 2 == 0, Api: i % 4 < 2 ? apiA : apiB)).ToList();
        var answers = await Task.WhenAll(bids.Select(bid => bid.Api.PostAsync($"/api/auctions/{auction}/bids",
            bid.Proxy ? new Dictionary<string, object?> { ["user"] = bid.User, ["max_amount"] = bid.Value } : new Dictionary<string, object?> { ["user"] = bid.User, ["amount"] = bid.Value })));
        Assert.All(answers, answer => Assert.True(answer.Status == HttpStatusCode.Created || answer.Body.GetProperty("reason").GetString() == "bid_too_low", answer.ToString()));
        var top = bids.MaxBy(bid => bid.Value);
        var view = (await apiB.GetAsync($"/api/auctions/{auction}")).Body;
        Assert.Equal(top.User, view.GetProperty("leader").GetString());
        var price = view.GetProperty("price").GetInt64();
        Assert.True(price <= top.Value, view.ToString());
        foreach (var bid in bids)
        {
            Assert.Equal((10_000L, bid.User == top.User ? (top.Proxy ? top.Value : price) : 0L), await WalletAsync(apiB, bid.User));
        }
        // Bids taken by node A reached the watcher on node B through Redis, the last one carrying the final count.
        var count = view.GetProperty("bid_count").GetInt64();
        await watcher.NextAsync(f => f.Type() == "bid_placed" && f.GetProperty("data").GetProperty("bid_count").GetInt64() == count, TimeSpan.FromSeconds(15));
        await AssertConsistentAsync(apiB);

        // Node A dies the moment the auction ends (whether it was running the end job or not); node B settles it, once.
        var wait = endsAt - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
        a.Kill();
        var settled = await SettledAsync(apiB, auction, TimeSpan.FromSeconds(30));
        Assert.Equal(top.User, settled.GetProperty("winner").GetString());
        Assert.Equal(price, settled.GetProperty("price").GetInt64());
        await AssertPaidOnceAsync(apiB, auction, seller, top.User, price);
        Assert.Equal((10_000L - price, 0L), await WalletAsync(apiB, top.User));
        await watcher.NextAsync(f => f.Type() == "auction_ended", TimeSpan.FromSeconds(15));
        await Task.Delay(500);
        Assert.Single(watcher.Frames, f => f.Type() == "auction_ended");
        await AssertConsistentAsync(apiB);
    }

    [Fact]
    public async Task A_node_killed_between_the_settlement_commit_and_its_events_leaves_them_to_the_next_node()
    {
        var cluster = await ClusterAsync();
        var (seller, ada, bob, auction) = await EndedWithNoNodeUpAsync(cluster, "Crash");

        // This node runs the overdue end job on start, commits the settlement and dies before publishing its events.
        await using (var doomed = await NodeAsync(cluster, crashAfterCommit: true))
        {
            await doomed.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.NotEqual(0, doomed.ExitCode);
            Assert.Contains("CrashAfterCommitBeforePublish", doomed.Output + doomed.Error, StringComparison.Ordinal);
        }

        await using var next = await NodeAsync(cluster);
        using var nextApi = new ServerApi(next.BaseAddress, ApiKey);
        var settled = await SettledAsync(nextApi, auction, TimeSpan.FromSeconds(5)); // already committed by the dead node
        Assert.Equal(ada, settled.GetProperty("winner").GetString());
        Assert.Equal(125, settled.GetProperty("price").GetInt64()); // bob's 120 plus the increment, not ada's maximum
        await AssertPaidOnceAsync(nextApi, auction, seller, ada, 125);
        Assert.Equal((375L, 0L), await WalletAsync(nextApi, ada));
        Assert.Equal((500L, 0L), await WalletAsync(nextApi, bob));

        // The events the dead node owed are published by the next one, once: auction_won in ada's channel history.
        await using var adaWs = await WsClient.ConnectAsync(WebSocketUri(next, ada));
        await adaWs.SubscribeAsync($"user:{ada}");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<string?> types = [];
        while (DateTime.UtcNow < deadline && !types.Contains("auction_won"))
        {
            var history = await adaWs.OkAsync("history", new { channel = $"user:{ada}" });
            types = [.. history.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("type").GetString())];
            await Task.Delay(100);
        }
        Assert.Equal(1, types.Count(t => t == "auction_won"));
        await AssertConsistentAsync(nextApi);
    }

    [Fact]
    public async Task A_node_killed_in_the_middle_of_settlement_pays_nobody_and_the_next_node_settles_once()
    {
        var cluster = await ClusterAsync();
        var (seller, ada, bob, auction) = await EndedWithNoNodeUpAsync(cluster, "Half");

        // This node runs the overdue end job on start and dies inside it: the winner's hold captured and paid to the seller,
        // bob's released, none of it committed (the fault is deterministic, not a kill that may land before or after).
        await using (var doomed = await NodeAsync(cluster, crashMidSettlement: true))
        {
            await doomed.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.NotEqual(0, doomed.ExitCode);
            Assert.Contains("CrashMidSettlement", doomed.Output + doomed.Error, StringComparison.Ordinal);
        }

        // The next node finds the auction unsettled (its end job's lease expired) and settles it once: had any of the dead
        // node's moves committed, the seller would be paid twice or a release would be missing from the ledger.
        await using var next = await NodeAsync(cluster);
        using var nextApi = new ServerApi(next.BaseAddress, ApiKey);
        var settled = await SettledAsync(nextApi, auction, TimeSpan.FromSeconds(30));
        Assert.Equal(ada, settled.GetProperty("winner").GetString());
        Assert.Equal(125, settled.GetProperty("price").GetInt64());
        await AssertPaidOnceAsync(nextApi, auction, seller, ada, 125);
        Assert.Equal((375L, 0L), await WalletAsync(nextApi, ada));
        Assert.Equal((500L, 0L), await WalletAsync(nextApi, bob));
        var bobReleases = (await nextApi.GetAsync($"/api/wallet/ledger?user={bob}")).Body.GetProperty("entries").EnumerateArray()
            .Count(e => e.GetProperty("kind").GetString() == "release" && e.GetProperty("ref").GetString() == $"auction:{auction}");
        Assert.Equal(1, bobReleases);
        await AssertConsistentAsync(nextApi);
    }

    private sealed record Cluster(string Postgres, string Redis, string Prefix);

    private static async Task<Cluster> ClusterAsync() => new(
        await TestPostgres.CreateDatabaseAsync("hubbub_auctions"),
        Environment.GetEnvironmentVariable("HUBBUB_TEST_REDIS") is { Length: > 0 } redis
            ? redis
            : throw new InvalidOperationException("HUBBUB_TEST_REDIS is not set: run the suites through ./test.sh, which starts Redis on loopback."),
        $"auc{Guid.NewGuid():N}"[..12] + ":");

    private static async Task<ServerProcess> NodeAsync(Cluster cluster, bool crashAfterCommit = false, bool crashMidSettlement = false)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Postgres"] = cluster.Postgres,
            ["ConnectionStrings__Redis"] = cluster.Redis,
            ["Hubbub__Redis__KeyPrefix"] = cluster.Prefix,
            ["Auth__ApiKey"] = ApiKey,
            ["Kit__LeaseMs"] = "1000", // a dead node's claim on the end job expires quickly
            ["Kit__PollMs"] = "100",
        };
        if (crashAfterCommit)
        {
            environment["Hubbub__Testing__CrashAfterCommitBeforePublish"] = "true";
        }
        if (crashMidSettlement)
        {
            environment["Hubbub__Testing__CrashMidSettlement"] = "true";
        }
        var folder = Directory.CreateTempSubdirectory("hubbub-auction-node-").FullName;
        var dies = crashAfterCommit || crashMidSettlement;
        return await ServerProcess.StartOnLoopbackAsync(folder, ServerStorage.Sqlite, environment, waitFor: dies ? null : HttpStatusCode.OK);
    }

    /// <summary>
    /// An auction whose end passes while no node is up: on one node ada (500 coins) bids with a maximum of 300 and bob
    /// (500 coins) bids 120, then that node stops; answers once <c>ends_at</c> has passed, so the next node to start owes the
    /// settlement (ada wins at 125).
    /// </summary>
    private static async Task<(string Seller, string Ada, string Bob, string Auction)> EndedWithNoNodeUpAsync(Cluster cluster, string title)
    {
        var (seller, ada, bob) = (Users.New("seller"), Users.New("ada"), Users.New("bob"));
        DateTimeOffset endsAt;
        string auction;
        await using (var a = await NodeAsync(cluster))
        {
            using var api = new ServerApi(a.BaseAddress, ApiKey);
            foreach (var user in new[] { ada, bob })
            {
                Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/wallet/grants", new { user, currency = "coins", amount = 500, id = "g-" + user })).Status);
            }
            endsAt = DateTimeOffset.UtcNow.AddSeconds(4);
            var created = await api.PostAsync("/api/auctions", new { seller, title, currency = "coins", starting_bid = 10, min_increment = 5,
                ends_at = AuctionHouse.Iso(endsAt) });
            Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
            auction = created.Body.GetProperty("id").GetString()!;
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsync($"/api/auctions/{auction}/bids", new { user = ada, max_amount = 300 })).Status);
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsync($"/api/auctions/{auction}/bids", new { user = bob, amount = 120 })).Status);
        }
        var wait = endsAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
        return (seller, ada, bob, auction);
    }

    private static Uri WebSocketUri(ServerProcess node, string user) =>
        new UriBuilder(node.BaseAddress) { Scheme = "ws", Path = "/ws", Query = "access_token=" + TestTokens.For(user, key: ServerProcess.SigningKey) }.Uri;

    private static async Task<(long Balance, long Held)> WalletAsync(ServerApi api, string user)
    {
        var body = (await api.GetAsync($"/api/wallet?user={user}")).Body;
        return (body.GetProperty("balances").TryGetProperty("coins", out var b) ? b.GetInt64() : 0,
            body.GetProperty("held").TryGetProperty("coins", out var h) ? h.GetInt64() : 0);
    }

    private static async Task<JsonElement> SettledAsync(ServerApi api, string auction, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var view = (await api.GetAsync($"/api/auctions/{auction}")).Body;
            if (view.GetProperty("settled_at").ValueKind != JsonValueKind.Null)
            {
                return view;
            }
            Assert.True(DateTime.UtcNow < deadline, $"not settled in time: {view}");
            await Task.Delay(50);
        }
    }

    /// <summary>One capture from the winner and one payment to the seller, both of the price, for this auction.</summary>
    private static async Task AssertPaidOnceAsync(ServerApi api, string auction, string seller, string winner, long price)
    {
        async Task<List<JsonElement>> EntriesAsync(string user, string kind) =>
            [.. (await api.GetAsync($"/api/wallet/ledger?user={user}&limit=100")).Body.GetProperty("entries").EnumerateArray()
                .Where(e => e.GetProperty("ref").GetString() == $"auction:{auction}" && e.GetProperty("kind").GetString() == kind)];
        Assert.Equal(-price, Assert.Single(await EntriesAsync(winner, "capture")).GetProperty("amount").GetInt64());
        Assert.Equal(price, Assert.Single(await EntriesAsync(seller, "transfer")).GetProperty("amount").GetInt64());
    }

    private static async Task AssertConsistentAsync(ServerApi api)
    {
        var check = await api.GetAsync("/api/wallet/check");
        Assert.True(check.Status == HttpStatusCode.OK && check.Body.GetProperty("ok").GetBoolean(), check.ToString());
    }
}
