using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
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
/// delivery (the amount identifies the bid), beside a bare <c>POST /api/publish</c> of the same run. Checks after the
/// run: price = the highest accepted bid = the first of the bid list, leader its bidder, bid count = bids accepted,
/// one <c>bid_placed</c> per accepted bid, the leader alone holds coins (exactly the price), and the wallet's own
/// check (<c>GET /api/wallet/check</c>) finds every account agreeing with its ledger.
/// </summary>
public sealed class AuctionScenario : IScenario
{
    /// <inheritdoc />
    public string Name => "auction";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => kind == ServerKind.Hubbub;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var bidders = settings.Bidders;
        await using var server = await context.StartAsync(kind, cancellationToken);
        using var api = new ServerApi(server);
        var target = new HubbubTarget(server);
        for (var b = 0; b < bidders; b++)
        {
            (await api.PostAsync("/api/wallet/grants", $$"""{"user":"{{Bidder(b)}}","currency":"coins","amount":1000000000,"id":"bench-coins-{{b}}"}""",
                cancellationToken)).EnsureOk("grant");
        }
        var endsAt = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var created = (await api.PostAsync("/api/auctions",
            $$"""{"seller":"aseller","title":"Bench lot","currency":"coins","starting_bid":1,"min_increment":1,"ends_at":"{{endsAt}}"}""",
            cancellationToken)).EnsureOk("POST /api/auctions");
        string auction;
        using (var json = created.Json())
        {
            auction = json.RootElement.GetProperty("id").GetString()!;
        }

        var sentAt = new ConcurrentDictionary<long, long>();
        var delivery = new LatencyHistogram();
        var sink = new EventSink(1, "bid_placed")
        {
            OnEvent = (_, _, frame) =>
            {
                if (Payload.TryNumber(frame, "\"amount\":"u8, out var amount) && sentAt.TryRemove(amount, out var start))
                {
                    delivery.Record(Payload.MicrosecondsSince(start));
                }
            },
        };
        var watchers = await context.ConnectManyAsync(0, 1, (i, ct) => target.SubscribeAsync("awatch", i, $"auction:{auction}", null, sink, ct),
            cancellationToken);
        var clients = new HubbubCommandClient[bidders];
        try
        {
            for (var b = 0; b < bidders; b++)
            {
                clients[b] = await target.ConnectCommandsAsync(Bidder(b), cancellationToken);
            }
            context.Status($"auction round {round}: bare publish");
            var baseline = await ClosedLoop.PublishBaselineAsync(api, settings.FeatureWorkers, settings.StepDuration, _ => "public:bench-baseline", cancellationToken);

            context.Status($"auction round {round}: {bidders} bidders");
            long nextAmount = 0, accepted = 0, highest = 0;
            var leader = "";
            var gate = new object();
            async Task<bool> Bid(int b, long n, CancellationToken ct)
            {
                var amount = Interlocked.Increment(ref nextAmount);
                sentAt[amount] = Stopwatch.GetTimestamp();
                var answer = await clients[b].RequestAsync("auction.bid", $$"""{"auction":"{{auction}}","amount":{{amount}}}""", ct);
                if (!HubbubCommandClient.IsReply(answer))
                {
                    sentAt.TryRemove(amount, out _);
                    return answer.AsSpan().IndexOf("\"reason\":\"bid_too_low\""u8) >= 0
                        ? false
                        : throw new InvalidOperationException($"bid refused: {Encoding.UTF8.GetString(answer)}");
                }
                Interlocked.Increment(ref accepted);
                lock (gate)
                {
                    if (amount > highest)
                    {
                        highest = amount;
                        leader = Bidder(b);
                    }
                }
                return true;
            }
            await ClosedLoop.RunAsync(bidders, settings.StepDuration / 4, 100, Bid, cancellationToken);
            await ClosedLoop.WaitUntilAsync(() => sink.Total() >= Interlocked.Read(ref accepted), TimeSpan.FromSeconds(10), cancellationToken);
            delivery = new LatencyHistogram(); // the warm-up's deliveries are not measured
            var bids = await ClosedLoop.RunAsync(bidders, settings.StepDuration, 1_000_000, Bid, cancellationToken);
            await ClosedLoop.WaitUntilAsync(() => sink.Total() >= accepted, TimeSpan.FromSeconds(10), cancellationToken);

            var violations = await CheckInvariantsAsync(api, auction, bidders, highest, leader, accepted, cancellationToken);
            var r = context.Results;
            ClosedLoop.AddBaseline(context, Name, kind, round, baseline);
            ClosedLoop.AddAgainstBaseline(context, Name, kind, round, "bid", "bids/s", bids, baseline);
            r.Add(Name, kind, round, "bids_refused_too_low", bids.Refused, "bids", Better.None);
            r.Add(Name, kind, round, "bid_placed_p50_ms", delivery.Percentile(50) / 1000.0, "ms", Better.Lower);
            r.Add(Name, kind, round, "bid_placed_p99_ms", delivery.Percentile(99) / 1000.0, "ms", Better.Lower);
            r.Add(Name, kind, round, "lost_bid_placed", Math.Max(0, accepted - sink.Total()), "events", Better.Lower);
            r.Add(Name, kind, round, "extra_bid_placed", Math.Max(0, sink.Total() - accepted), "events", Better.Lower);
            r.Add(Name, kind, round, "invariant_violations", violations.Count, "checks", Better.Lower);
            if (violations.Count > 0)
            {
                context.Results.Note(Name, "invariants broken: " + string.Join("; ", violations));
            }
        }
        finally
        {
            await server.DisposeAsync();
            foreach (var client in clients)
            {
                if (client is not null)
                {
                    await client.DisposeAsync();
                }
            }
            await ScenarioContext.DisposeAllAsync(watchers);
        }
    }

    private static string Bidder(int b) => $"ab{b}";

    private static async Task<List<string>> CheckInvariantsAsync(ServerApi api, string auction, int bidders, long highest, string leader,
        long accepted, CancellationToken cancellationToken)
    {
        var violations = new List<string>();
        using (var json = (await api.GetAsync($"/api/auctions/{auction}", cancellationToken)).EnsureOk("GET auction").Json())
        {
            var a = json.RootElement;
            if (a.GetProperty("price").GetInt64() != highest)
            {
                violations.Add($"price {a.GetProperty("price")} is not the highest accepted bid {highest}");
            }
            if (a.GetProperty("leader").GetString() != leader)
            {
                violations.Add($"leader {a.GetProperty("leader")} is not {leader}, who bid {highest}");
            }
            if (a.GetProperty("bid_count").GetInt64() != accepted)
            {
                violations.Add($"bid_count {a.GetProperty("bid_count")} is not the {accepted} bids accepted");
            }
        }
        using (var json = (await api.GetAsync($"/api/auctions/{auction}/bids?limit=1", cancellationToken)).EnsureOk("GET bids").Json())
        {
            var first = json.RootElement.GetProperty("bids")[0];
            if (first.GetProperty("amount").GetInt64() != highest || first.GetProperty("user").GetString() != leader)
            {
                violations.Add($"the highest bid listed is {first}, not {highest} by {leader}");
            }
        }
        for (var b = 0; b < bidders; b++)
        {
            using var json = (await api.GetAsync($"/api/wallet?user={Bidder(b)}", cancellationToken)).EnsureOk("GET wallet").Json();
            var held = json.RootElement.GetProperty("held").TryGetProperty("coins", out var h) ? h.GetInt64() : 0;
            var expected = Bidder(b) == leader ? highest : 0;
            if (held != expected)
            {
                violations.Add($"{Bidder(b)} holds {held}, not {expected}");
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
