using System.Text.Json;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios.Features;

/// <summary>
/// <c>outbox</c> (Hubbub only): what the feature kit costs per write. A wallet grant (<c>POST /api/wallet/grants</c>:
/// one transaction with its ledger entry, idempotency key and one outbox row, then <c>wallet_updated</c> published
/// after the commit) against a bare <c>POST /api/publish</c> to the same kind of channel, both in a closed loop of
/// <see cref="BenchSettings.FeatureWorkers"/> workers, each writing for its own user whose <c>user:</c> channel is
/// subscribed. Checks that every publish and every grant reached its subscriber once and that each balance is the
/// sum of its grants.
/// </summary>
public sealed class OutboxScenario : IScenario
{
    /// <inheritdoc />
    public string Name => "outbox";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => kind == ServerKind.Hubbub;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        var workers = context.Settings.FeatureWorkers;
        var duration = context.Settings.StepDuration;
        await using var server = await context.StartAsync(kind, cancellationToken);
        using var api = new ServerApi(server);
        var target = new HubbubTarget(server);
        var sink = new EventSink(workers, "tick", "wallet_updated");
        var subscribers = await context.ConnectManyAsync(0, workers,
            (i, ct) => target.SubscribeAsync(User(i), i, $"user:{User(i)}", null, sink, ct), cancellationToken);
        try
        {
            context.Status($"outbox round {round}: bare publish");
            var baseline = await ClosedLoop.PublishBaselineAsync(api, workers, duration, w => $"user:{User(w)}", cancellationToken);

            context.Status($"outbox round {round}: wallet grants");
            var grants = new long[workers];
            var phase = "warm";
            async Task<bool> Grant(int w, long n, CancellationToken ct)
            {
                // The id is the grant's idempotency key: unique per call, or a repeat would grant nothing.
                (await api.PostAsync("/api/wallet/grants",
                    $$"""{"user":"{{User(w)}}","currency":"coins","amount":1,"id":"bench-{{phase}}-{{n}}"}""", ct)).EnsureOk("grant");
                Interlocked.Increment(ref grants[w]);
                return true;
            }
            await ClosedLoop.RunAsync(workers, duration / 4, 200, Grant, cancellationToken);
            phase = "measured";
            var granted = await ClosedLoop.RunAsync(workers, duration, 1_000_000, Grant, cancellationToken);

            // Every call delivered its one event: the warm-ups' too, so the expected counts are the server's own.
            var expectedTicks = baseline.WarmUpDone + baseline.Done;
            var expectedGrants = grants.Sum();
            await ClosedLoop.WaitUntilAsync(() => sink.Total(0) >= expectedTicks && sink.Total(1) >= expectedGrants,
                TimeSpan.FromSeconds(10), cancellationToken);
            long wrongBalances = 0;
            for (var w = 0; w < workers; w++)
            {
                var wallet = (await api.GetAsync($"/api/wallet?user={User(w)}", cancellationToken)).EnsureOk("wallet");
                using var json = wallet.Json();
                if (json.RootElement.GetProperty("balances").GetProperty("coins").GetInt64() != grants[w])
                {
                    wrongBalances++;
                }
            }

            var r = context.Results;
            ClosedLoop.AddBaseline(context, Name, kind, round, baseline);
            ClosedLoop.AddAgainstBaseline(context, Name, kind, round, "grant", "grants/s", granted, baseline);
            r.Add(Name, kind, round, "lost_publish_events", Math.Max(0, expectedTicks - sink.Total(0)), "events", Better.Lower);
            r.Add(Name, kind, round, "lost_grant_events", Math.Max(0, expectedGrants - sink.Total(1)), "events", Better.Lower);
            r.Add(Name, kind, round, "extra_events", Math.Max(0, sink.Total(0) - expectedTicks) + Math.Max(0, sink.Total(1) - expectedGrants),
                "events", Better.Lower);
            r.Add(Name, kind, round, "wrong_balances", wrongBalances, "users", Better.Lower);
        }
        finally
        {
            await server.DisposeAsync();
            await ScenarioContext.DisposeAllAsync(subscribers);
        }
    }

    private static string User(int worker) => $"ob{worker}";
}
