using System.Diagnostics;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Measure;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// <c>recovery-storm</c> (Hubbub only: the baselines have no history to recover from). Clients follow a channel,
/// all drop at once, miss <see cref="BenchSettings.StormMissed"/> publications, then all reconnect at once with
/// <c>since</c> while live publishing goes on. Measures the time until every client holds everything it missed,
/// and checks that each client's offsets run on without a gap or a duplicate to the end.
/// </summary>
public sealed class RecoveryStormScenario : IScenario
{
    private const string Channel = "public:storm";
    private const int LiveBefore = 20;
    // Live traffic during the storm, low enough that a 200-publication history outlasts a slow storm by far:
    // the scenario measures recovery, not history overflow (which correctly answers recovered:false).
    private const int LiveRatePerSecond = 10;

    /// <inheritdoc />
    public string Name => "recovery-storm";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => kind == ServerKind.Hubbub;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        var n = context.Settings.StormClients;
        var missed = context.Settings.StormMissed;
        await using var server = await context.StartAsync(kind, cancellationToken);
        var target = new HubbubTarget(server);
        var sink = new StormSink(n);
        IBenchConnection[] clients = [];
        try
        {
            context.Status($"recovery-storm round {round}: connecting {n}");
            clients = await context.ConnectManyAsync(0, n,
                (i, ct) => target.SubscribeAsync($"s{i}", i, Channel, null, sink, ct), cancellationToken);
            await using var publisher = await target.ConnectPublisherAsync(Channel, cancellationToken);
            long seq = 0;
            for (var i = 0; i < LiveBefore; i++)
            {
                await publisher.PublishAsync(Payload.Create(0, seq++), cancellationToken);
            }
            await publisher.FlushAsync(cancellationToken);
            await WaitAsync(() => Enumerable.Range(0, n).All(i => sink.LastOffset(i) >= LiveBefore), TimeSpan.FromSeconds(15),
                "clients did not receive the first publications", cancellationToken);

            // Everyone drops at once (no close handshake), then misses `missed` publications.
            context.Status($"recovery-storm round {round}: {n} clients drop");
            var positions = Enumerable.Range(0, n).Select(i => (Offset: sink.LastOffset(i), Epoch: sink.Epoch(i)!)).ToArray();
            foreach (var client in clients)
            {
                client.Abort();
            }
            await ScenarioContext.DisposeAllAsync(clients);
            for (var i = 0; i < missed; i++)
            {
                await publisher.PublishAsync(Payload.Create(0, seq++), cancellationToken);
            }
            await publisher.FlushAsync(cancellationToken);
            var top = (long)LiveBefore + missed;
            sink.Expect(LiveBefore + 1, top);

            // The storm: all reconnect at once with `since`, while live publishing goes on.
            context.Status($"recovery-storm round {round}: {n} clients reconnect");
            using var live = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var start = Stopwatch.GetTimestamp();
            var liveCount = 0L;
            var liveTask = Task.Run(async () =>
            {
                while (!live.IsCancellationRequested && liveCount < 60 * LiveRatePerSecond)
                {
                    await publisher.PublishAsync(Payload.Create(0, seq++), CancellationToken.None);
                    liveCount++;
                    try
                    {
                        await Task.Delay(1000 / LiveRatePerSecond, live.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }, CancellationToken.None);
            clients = await context.ConnectManyAsync(0, n,
                (i, ct) => target.SubscribeAsync($"s{i}", i, Channel, positions[i], sink, ct), cancellationToken);
            await WaitAsync(() => sink.Reached >= n, TimeSpan.FromSeconds(30), "not every client recovered", cancellationToken);
            var recoveredIn = Enumerable.Range(0, n).Select(i => Stopwatch.GetElapsedTime(start, sink.ReachedAt(i)).TotalMilliseconds).Order().ToArray();
            await live.CancelAsync();
            await liveTask;
            await publisher.FlushAsync(cancellationToken);
            var end = top + liveCount;
            await WaitAsync(() => Enumerable.Range(0, n).All(i => sink.LastOffset(i) >= end), TimeSpan.FromSeconds(10),
                "clients did not receive every live publication after recovering", cancellationToken);

            var r = context.Results;
            r.Add(Name, kind, round, "all_recovered_ms", recoveredIn[^1], "ms", Better.Lower);
            r.Add(Name, kind, round, "median_recovered_ms", Stats.Percentile(recoveredIn, 50), "ms", Better.Lower);
            r.Add(Name, kind, round, "missed_delivered", sink.MissedDelivered, $"of {(long)n * missed}", Better.Higher);
            r.Add(Name, kind, round, "gaps", sink.Gaps, "offsets", Better.Lower);
            r.Add(Name, kind, round, "duplicates", sink.Duplicates, "offsets", Better.Lower);
            r.Add(Name, kind, round, "recovered_false", sink.NotRecovered, "clients", Better.Lower);
        }
        finally
        {
            await server.DisposeAsync();
            await ScenarioContext.DisposeAllAsync(clients);
        }
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan limit, string failure, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"{failure} within {limit.TotalSeconds} s");
            }
            await Task.Delay(5, cancellationToken);
        }
    }
}
