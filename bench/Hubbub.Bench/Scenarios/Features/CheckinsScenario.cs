using System.Diagnostics;
using System.Text;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Measure;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios.Features;

/// <summary>
/// <c>checkins</c> (Hubbub only): one venue, <see cref="BenchSettings.Dashboards"/> dashboards subscribed to <c>venue:{id}</c>, and
/// <see cref="BenchSettings.CheckinMembers"/> members each checking in and out in a closed loop over their own
/// WebSocket (<c>venues.checkin</c> / <c>venues.checkout</c>, each awaiting its reply, i.e. the commit). Measures
/// committed check-ins + check-outs per second, the command's p50/p99, and the time from a member's command to the
/// dashboard's <c>stats_update</c> for it (each dashboard's <c>stats_update</c>s matched in order to its member events), beside a bare <c>POST /api/publish</c> of the same run. Checks: every
/// dashboard got one <c>stats_update</c> per committed change, and the venue's stats count exactly what was done.
/// On each database of <see cref="BenchSettings.Databases"/> but two nodes, and each variant (<see cref="FeatureDeployment"/>).
/// </summary>
public sealed class CheckinsScenario : IScenario
{
    private const string Venue = "bench-gym";

    /// <inheritdoc />
    public string Name => "checkins";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => kind == ServerKind.Hubbub;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        await FeatureDeployment.ForEachRunAsync(context, kind, Name, supportsTwoNodes: false, new Dictionary<string, string>(),
            deployment => RunOnAsync(context, kind, round, deployment, cancellationToken), cancellationToken);
    }

    private async Task RunOnAsync(ScenarioContext context, ServerKind kind, int round, FeatureDeployment deployment, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var members = settings.CheckinMembers;
        var watching = settings.Dashboards;
        var name = deployment.Label;
        var server = deployment.Nodes[0];
        using var api = new ServerApi(server);
        var target = new HubbubTarget(server);
        (await api.PostAsync("/api/venues", $$"""{"id":"{{Venue}}","name":"Bench Gym","capacity":1000000,"timezone":"UTC"}""",
            cancellationToken)).EnsureOk("POST /api/venues");

        // Each member's command start times in order; a dashboard's k-th member_checked_* event of a member answers
        // that member's k-th command. Each dashboard's stats_updates answer its member events in order (oldest first):
        // two changes committed together may publish concurrently, so their events can interleave on the channel, and
        // timing a stats_update from the latest member event would give one change's start to the other and drop one.
        var starts = Enumerable.Range(0, members).Select(_ => new List<long>()).ToArray();
        var seenPerMember = new int[watching, members];
        var pendingStarts = Enumerable.Range(0, watching).Select(_ => new Queue<long>()).ToArray();
        var statsLatency = new LatencyHistogram();
        var measuring = false;
        var sink = new EventSink(watching, "member_checked_in", "member_checked_out", "stats_update")
        {
            OnEvent = (d, type, frame) =>
            {
                if (type < 2)
                {
                    var m = MemberOf(frame);
                    var k = seenPerMember[d, m]++;
                    lock (starts[m])
                    {
                        pendingStarts[d].Enqueue(k < starts[m].Count ? starts[m][k] : 0);
                    }
                }
                else if (pendingStarts[d].TryDequeue(out var start) && start != 0 && Volatile.Read(ref measuring))
                {
                    statsLatency.Record(Payload.MicrosecondsSince(start));
                }
            },
        };
        var dashboards = await context.ConnectManyAsync(0, watching,
            (i, ct) => target.SubscribeAsync($"dash{i}", i, $"venue:{Venue}", null, sink, ct), cancellationToken);
        var clients = new HubbubCommandClient[members];
        try
        {
            for (var m = 0; m < members; m++)
            {
                clients[m] = await target.ConnectCommandsAsync(Member(m), cancellationToken);
            }
            context.Status($"{name} round {round}: bare publish");
            var baseline = await ClosedLoop.PublishBaselineAsync(api, settings.FeatureWorkers, settings.StepDuration, _ => "public:bench-baseline", cancellationToken,
                deployment.Nodes);

            context.Status($"{name} round {round}: {members} members");
            var inside = new bool[members];
            long checkins = 0, checkouts = 0;
            async Task<bool> Toggle(int m, long n, CancellationToken ct)
            {
                var command = inside[m] ? "venues.checkout" : "venues.checkin";
                lock (starts[m])
                {
                    starts[m].Add(Stopwatch.GetTimestamp());
                }
                var answer = await clients[m].RequestAsync(command, $$"""{"venue":"{{Venue}}"}""", ct);
                if (!HubbubCommandClient.IsReply(answer))
                {
                    throw new InvalidOperationException($"{command} refused: {Encoding.UTF8.GetString(answer)}");
                }
                Interlocked.Increment(ref inside[m] ? ref checkouts : ref checkins);
                inside[m] = !inside[m];
                return true;
            }
            var warm = await ClosedLoop.RunAsync(members, ClosedLoop.WarmUp(settings), ClosedLoop.WarmUpCount(settings, 100), Toggle, cancellationToken);
            await ClosedLoop.WaitUntilAsync(() => sink.Count(watching - 1, 2) >= warm.Done, TimeSpan.FromSeconds(10), cancellationToken);
            Volatile.Write(ref measuring, true);
            // Members own their loop: worker m is member m, so each member has one command in flight at most.
            var toggles = await ClosedLoop.RunAsync(members, settings.StepDuration, 1_000_000, Toggle, cancellationToken, deployment.Nodes);
            var changes = checkins + checkouts;
            await ClosedLoop.WaitUntilAsync(() => Enumerable.Range(0, watching).All(d => sink.Count(d, 2) >= changes),
                TimeSpan.FromSeconds(10), cancellationToken);

            var venue = (await api.GetAsync($"/api/venues/{Venue}", cancellationToken)).EnsureOk("GET venue");
            using var json = venue.Json();
            var stats = json.RootElement.GetProperty("stats");
            var wrongStats = (stats.GetProperty("present").GetInt64() != inside.Count(x => x) ? 1 : 0)
                + (stats.GetProperty("checkins_today").GetInt64() != checkins ? 1 : 0)
                + (stats.GetProperty("checkouts_today").GetInt64() != checkouts ? 1 : 0);

            var r = context.Results;
            ClosedLoop.AddBaseline(context, name, kind, round, baseline);
            ClosedLoop.AddAgainstBaseline(context, name, kind, round, "checkin_or_out", "changes/s", toggles, baseline);
            r.Add(name, kind, round, "stats_update_p50_ms", statsLatency.Percentile(50) / 1000.0, "ms", Better.Lower);
            r.Add(name, kind, round, "stats_update_p99_ms", statsLatency.Percentile(99) / 1000.0, "ms", Better.Lower);
            r.Add(name, kind, round, "lost_stats_updates", Enumerable.Range(0, watching).Sum(d => Math.Max(0, changes - sink.Count(d, 2))),
                "events", Better.Lower);
            r.Add(name, kind, round, "extra_stats_updates", Enumerable.Range(0, watching).Sum(d => Math.Max(0, sink.Count(d, 2) - changes)),
                "events", Better.Lower);
            r.Add(name, kind, round, "wrong_stats_fields", wrongStats, "fields", Better.Lower);
        }
        finally
        {
            await deployment.DisposeAsync();
            foreach (var client in clients)
            {
                if (client is not null)
                {
                    await client.DisposeAsync();
                }
            }
            await ScenarioContext.DisposeAllAsync(dashboards);
        }
    }

    private static string Member(int m) => $"vm{m}";

    private static int MemberOf(ReadOnlySpan<byte> frame) =>
        Payload.TryNumber(frame, "\"user\":\"vm"u8, out var m) ? (int)m : throw new InvalidOperationException("a member event without a bench member");
}
