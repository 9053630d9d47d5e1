using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Measure;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios.Features;

/// <summary>
/// <c>auction</c> (Hubbub only): one hot auction, <see cref="BenchSettings.Bidders"/> bidders bidding in a closed
/// loop over their own WebSocket (<c>auction.bid</c>, plain bids of ever higher amounts from one shared counter, so
/// bids race and the server, which serializes them per auction, refuses the overtaken ones as <c>bid_too_low</c>),
/// one watcher on <c>auction:{id}</c>. Measures committed bids/s, the bid's round trip and the <c>bid_placed</c>
/// delivery (the amount identifies the bid), beside a bare <c>POST /api/publish</c> of the same run. Then, when
/// <see cref="BenchSettings.Auctions"/> is set, that many auctions at once with <see cref="BenchSettings.BiddersPerAuction"/>
/// bidders each (figures <c>many_…</c>): the same users bid on every auction (one connection per user and auction), so
/// one balance funds holds on many auctions. Checks after each part: price = the highest accepted bid = the first of
/// the bid list, leader its bidder, bid count = bids accepted, one <c>bid_placed</c> per accepted bid, each bidder holds
/// exactly the prices of the auctions it leads, coins are conserved (each balance = its grant, available = balance − held), and the wallet's own check (<c>GET /api/wallet/check</c>) finds every
/// account agreeing with its ledger. On each database of <see cref="BenchSettings.Databases"/> (two nodes: bidders and
/// watchers alternate between the nodes, so events cross Redis) and each variant.
/// </summary>
public sealed class AuctionScenario : IScenario
{
    /// <summary>Coins granted to each bidder.</summary>
    private const long Granted = 1_000_000_000_000;

    /// <inheritdoc />
    public string Name => "auction";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => kind == ServerKind.Hubbub;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        // The many-auctions part opens one connection per bidder and auction: the per-user bound is raised, not removed.
        var env = new Dictionary<string, string>
        {
            ["Hubbub__MaxConnectionsPerUser"] = Math.Max(16, context.Settings.Auctions + 4).ToString(CultureInfo.InvariantCulture),
        };
        await FeatureDeployment.ForEachRunAsync(context, kind, Name, supportsTwoNodes: true, env,
            deployment => RunOnAsync(context, kind, round, deployment, cancellationToken), cancellationToken);
    }

    private static async Task RunOnAsync(ScenarioContext context, ServerKind kind, int round, FeatureDeployment deployment, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var name = deployment.Label;
        var nodes = deployment.Nodes;
        using var api = new ServerApi(nodes[0]);
        var targets = nodes.Select(n => new HubbubTarget(n)).ToArray();
        var r = context.Results;
        var connections = new List<IAsyncDisposable>();
        try
        {
            context.Status($"{name} round {round}: bare publish");
            var baseline = await ClosedLoop.PublishBaselineAsync(api, settings.FeatureWorkers, settings.StepDuration, _ => "public:bench-baseline", cancellationToken,
                nodes);
            ClosedLoop.AddBaseline(context, name, kind, round, baseline);

            var hotBidders = Enumerable.Range(0, settings.Bidders).Select(b => $"ab{b}").ToArray();
            await GrantAsync(api, hotBidders, cancellationToken);
            var hot = await CreateAuctionsAsync(api, 1, cancellationToken);
            context.Status($"{name} round {round}: {hotBidders.Length} bidders on one auction");
            var hotRun = await RunPartAsync(context, nodes, targets, hot, hotBidders, connections, cancellationToken);
            var hotViolations = await CheckInvariantsAsync(api, hotRun, hotBidders, cancellationToken);
            ClosedLoop.AddAgainstBaseline(context, name, kind, round, "bid", "bids/s", hotRun.Bids, baseline);
            Report(r, name, kind, round, "", hotRun, hotViolations);

            if (settings.Auctions > 0)
            {
                var bidders = Enumerable.Range(0, settings.BiddersPerAuction).Select(b => $"mb{b}").ToArray();
                await GrantAsync(api, bidders, cancellationToken);
                var auctions = await CreateAuctionsAsync(api, settings.Auctions, cancellationToken);
                context.Status($"{name} round {round}: {auctions.Length} auctions × {bidders.Length} bidders");
                var manyRun = await RunPartAsync(context, nodes, targets, auctions, bidders, connections, cancellationToken);
                var manyViolations = await CheckInvariantsAsync(api, manyRun, bidders, cancellationToken);
                ClosedLoop.AddAgainstBaseline(context, name, kind, round, "many_bid", "bids/s", manyRun.Bids, baseline);
                r.Add(name, kind, round, "many_auctions", auctions.Length, "auctions", Better.None);
                Report(r, name, kind, round, "many_", manyRun, manyViolations);
            }
        }
        finally
        {
            await deployment.DisposeAsync();
            await Parallel.ForEachAsync(connections, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (c, _) =>
            {
                try
                {
                    await c.DisposeAsync();
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException or System.Net.WebSockets.WebSocketException)
                {
                    // Closing a connection whose server is gone.
                }
            });
        }
    }

    private static void Report(ResultSet r, string name, ServerKind kind, int round, string prefix, PartRun run, List<string> violations)
    {
        r.Add(name, kind, round, $"{prefix}bids_refused_too_low", run.Bids.Refused, "bids", Better.None);
        r.Add(name, kind, round, $"{prefix}bid_placed_p50_ms", run.Delivery.Percentile(50) / 1000.0, "ms", Better.Lower);
        r.Add(name, kind, round, $"{prefix}bid_placed_p99_ms", run.Delivery.Percentile(99) / 1000.0, "ms", Better.Lower);
        r.Add(name, kind, round, $"{prefix}lost_bid_placed", Math.Max(0, run.Accepted - run.Delivered), "events", Better.Lower);
        r.Add(name, kind, round, $"{prefix}extra_bid_placed", Math.Max(0, run.Delivered - run.Accepted), "events", Better.Lower);
        r.Add(name, kind, round, $"{prefix}invariant_violations", violations.Count, "checks", Better.Lower);
        if (violations.Count > 0)
        {
            r.Note(name, $"{prefix}invariants broken: " + string.Join("; ", violations.Take(20)));
        }
    }

    /// <summary>What one part did: per auction the highest accepted bid and its bidder, and the counts.</summary>
    private sealed record PartRun(string[] Auctions, long[] Highest, string[] Leader, long[] AcceptedPer, ClosedLoop.Outcome Bids,
        LatencyHistogram Delivery, long Accepted, long Delivered);

    private static async Task GrantAsync(ServerApi api, string[] users, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (user, ct) =>
            (await api.PostAsync("/api/wallet/grants", $$"""{"user":"{{user}}","currency":"coins","amount":{{Granted}},"id":"bench-coins-{{user}}"}""", ct))
                .EnsureOk("grant"));

    private static async Task<string[]> CreateAuctionsAsync(ServerApi api, int count, CancellationToken cancellationToken)
    {
        var endsAt = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var ids = new string[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var created = (await api.PostAsync("/api/auctions",
                $$"""{"seller":"aseller","title":"Bench lot {{i}}","currency":"coins","starting_bid":1,"min_increment":1,"ends_at":"{{endsAt}}"}""", ct))
                .EnsureOk("POST /api/auctions");
            using var json = created.Json();
            ids[i] = json.RootElement.GetProperty("id").GetString()!;
        });
        return ids;
    }

    /// <summary>
    /// Every bidder bids on every auction in a closed loop (one loop per bidder and auction, over a connection of its
    /// own, on node (bidder + auction) mod nodes); one watcher per auction on the node after its first bidder's.
    /// </summary>
    private static async Task<PartRun> RunPartAsync(ScenarioContext context, IReadOnlyList<ServerProcess> nodes, HubbubTarget[] targets, string[] auctions, string[] bidders,
        List<IAsyncDisposable> connections, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var n = auctions.Length;
        var sentAt = new ConcurrentDictionary<(int, long), long>();
        var delivery = new LatencyHistogram();
        var measuring = false;
        var sink = new EventSink(n, "bid_placed")
        {
            OnEvent = (a, _, frame) =>
            {
                if (Payload.TryNumber(frame, "\"amount\":"u8, out var amount) && sentAt.TryRemove((a, amount), out var start) && Volatile.Read(ref measuring))
                {
                    delivery.Record(Payload.MicrosecondsSince(start));
                }
            },
        };
        var watchers = await context.ConnectManyAsync(0, n,
            (a, ct) => targets[(a + 1) % targets.Length].SubscribeAsync("awatch", a, $"auction:{auctions[a]}", null, sink, ct), cancellationToken);
        connections.AddRange(watchers);
        var loops = n * bidders.Length;
        var clients = new HubbubCommandClient[loops];
        await Parallel.ForAsync(0, loops, new ParallelOptions { MaxDegreeOfParallelism = settings.ConnectConcurrency, CancellationToken = cancellationToken },
            async (w, ct) => clients[w] = await targets[(w % bidders.Length + w / bidders.Length) % targets.Length].ConnectCommandsAsync(bidders[w % bidders.Length], ct));
        connections.AddRange(clients);

        var nextAmount = new long[n];
        var highest = new long[n];
        var leader = new string[n];
        var acceptedPer = new long[n];
        long accepted = 0;
        async Task<bool> Bid(int w, long _, CancellationToken ct)
        {
            var (a, b) = (w / bidders.Length, w % bidders.Length);
            var amount = Interlocked.Increment(ref nextAmount[a]);
            sentAt[(a, amount)] = Stopwatch.GetTimestamp();
            var answer = await clients[w].RequestAsync("auction.bid", $$"""{"auction":"{{auctions[a]}}","amount":{{amount}}}""", ct);
            if (!HubbubCommandClient.IsReply(answer))
            {
                sentAt.TryRemove((a, amount), out _);
                return answer.AsSpan().IndexOf("\"reason\":\"bid_too_low\""u8) >= 0
                    ? false
                    : throw new InvalidOperationException($"bid refused: {Encoding.UTF8.GetString(answer)}");
            }
            Interlocked.Increment(ref accepted);
            Interlocked.Increment(ref acceptedPer[a]);
            lock (leader)
            {
                if (amount > highest[a])
                {
                    highest[a] = amount;
                    leader[a] = bidders[b];
                }
            }
            return true;
        }
        await ClosedLoop.RunAsync(loops, ClosedLoop.WarmUp(settings), ClosedLoop.WarmUpCount(settings, Math.Max(100, loops)), Bid, cancellationToken);
        await ClosedLoop.WaitUntilAsync(() => sink.Total() >= Interlocked.Read(ref accepted), TimeSpan.FromSeconds(10), cancellationToken);
        Volatile.Write(ref measuring, true); // the warm-up's deliveries are not measured
        var bids = await ClosedLoop.RunAsync(loops, settings.StepDuration, 10_000_000, Bid, cancellationToken, nodes);
        await ClosedLoop.WaitUntilAsync(() => sink.Total() >= Interlocked.Read(ref accepted), TimeSpan.FromSeconds(20), cancellationToken);
        return new PartRun(auctions, highest, leader, acceptedPer, bids, delivery, accepted, sink.Total());
    }

    private static async Task<List<string>> CheckInvariantsAsync(ServerApi api, PartRun run, string[] bidders, CancellationToken cancellationToken)
    {
        var violations = new List<string>();
        for (var a = 0; a < run.Auctions.Length; a++)
        {
            var auction = run.Auctions[a];
            using (var json = (await api.GetAsync($"/api/auctions/{auction}", cancellationToken)).EnsureOk("GET auction").Json())
            {
                var state = json.RootElement;
                if (state.GetProperty("price").GetInt64() != run.Highest[a])
                {
                    violations.Add($"{auction}: price {state.GetProperty("price")} is not the highest accepted bid {run.Highest[a]}");
                }
                if (state.GetProperty("leader").GetString() != run.Leader[a])
                {
                    violations.Add($"{auction}: leader {state.GetProperty("leader")} is not {run.Leader[a]}, who bid {run.Highest[a]}");
                }
                if (state.GetProperty("bid_count").GetInt64() != run.AcceptedPer[a])
                {
                    violations.Add($"{auction}: bid_count {state.GetProperty("bid_count")} is not the {run.AcceptedPer[a]} bids accepted");
                }
            }
            using (var json = (await api.GetAsync($"/api/auctions/{auction}/bids?limit=1", cancellationToken)).EnsureOk("GET bids").Json())
            {
                var first = json.RootElement.GetProperty("bids")[0];
                if (first.GetProperty("amount").GetInt64() != run.Highest[a] || first.GetProperty("user").GetString() != run.Leader[a])
                {
                    violations.Add($"{auction}: the highest bid listed is {first}, not {run.Highest[a]} by {run.Leader[a]}");
                }
            }
        }
        foreach (var bidder in bidders)
        {
            using var json = (await api.GetAsync($"/api/wallet?user={bidder}", cancellationToken)).EnsureOk("GET wallet").Json();
            var held = json.RootElement.GetProperty("held").TryGetProperty("coins", out var h) ? h.GetInt64() : 0;
            // Holds = the leading bids: exactly the prices of the auctions this bidder leads, nothing for the others.
            var expected = Enumerable.Range(0, run.Auctions.Length).Where(a => run.Leader[a] == bidder).Sum(a => run.Highest[a]);
            if (held != expected)
            {
                violations.Add($"{bidder} holds {held}, not {expected}");
            }
            // Coins conserved: a hold moves nothing, and nothing was captured or paid while every auction was live.
            var balance = json.RootElement.GetProperty("balances").GetProperty("coins").GetInt64();
            var available = json.RootElement.GetProperty("available").GetProperty("coins").GetInt64();
            if (balance != Granted || available != balance - held)
            {
                violations.Add($"{bidder} has balance {balance} and available {available}: not the {Granted} granted, less {held} held");
            }
        }
        using (var json = (await api.GetAsync("/api/wallet/check", cancellationToken)).EnsureOk("wallet check").Json())
        {
            if (!json.RootElement.GetProperty("ok").GetBoolean())
            {
                violations.Add($"wallet check: {json.RootElement.GetProperty("differences")}");
            }
        }
        return violations;
    }
}
