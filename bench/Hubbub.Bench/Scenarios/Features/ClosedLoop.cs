using System.Diagnostics;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Measure;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios.Features;

/// <summary>
/// Workers that each run one operation at a time (a closed loop: the next starts when the previous answered),
/// bounded by a time and a count, whichever comes first. Shared by the feature scenarios.
/// </summary>
public static class ClosedLoop
{
    /// <summary>The least warm-up of a measured loop outside quick mode.</summary>
    private static readonly TimeSpan SteadyWarmUp = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a feature loop warms up before its measured step: long enough for the server's JIT to settle (tiered
    /// compilation recompiles the hot path during the first tens of seconds of load, and a short warm-up measured its
    /// work, not the operation's; see performance.md, "Auction bid path"); a quarter step in quick mode.
    /// </summary>
    public static TimeSpan WarmUp(BenchSettings settings) =>
        settings.Quick ? settings.StepDuration / 4 : TimeSpan.FromTicks(Math.Max(settings.StepDuration.Ticks, SteadyWarmUp.Ticks));

    /// <summary>How many operations a warm-up may run: a few in quick mode, else as many as its time allows.</summary>
    public static int WarmUpCount(BenchSettings settings, int quick) => settings.Quick ? quick : 10_000_000;

    /// <summary>What a loop did.</summary>
    /// <param name="Done">Operations that succeeded (committed).</param>
    /// <param name="Refused">Operations the server refused as it should under contention (e.g. a bid overtaken).</param>
    /// <param name="Elapsed">From the first start to the last answer.</param>
    /// <param name="Latency">Round trip of every operation, refused ones included.</param>
    /// <param name="WarmUpDone">Operations that succeeded in a warm-up before the measured ones (not in the figures).</param>
    /// <param name="ServerCpuMicroseconds">CPU time the servers under test used during the loop (all nodes), when measured.</param>
    public sealed record Outcome(long Done, long Refused, TimeSpan Elapsed, LatencyHistogram Latency, long WarmUpDone = 0, double? ServerCpuMicroseconds = null)
    {
        /// <summary>
        /// Server CPU µs per successful operation: on a shared machine steadier than rates, which follow the CPU share
        /// the server happens to get; refused operations cost CPU too and are not in the divisor.
        /// </summary>
        public double? CpuPerOperation => ServerCpuMicroseconds is { } cpu && Done > 0 ? cpu / Done : null;

        /// <summary>Successful operations per second.</summary>
        public double PerSecond => Elapsed.TotalSeconds > 0 ? Done / Elapsed.TotalSeconds : double.NaN;

        /// <summary>Median round trip in ms.</summary>
        public double P50Ms => Latency.Percentile(50) / 1000.0;

        /// <summary>99th percentile round trip in ms.</summary>
        public double P99Ms => Latency.Percentile(99) / 1000.0;
    }

    /// <summary>
    /// Runs <paramref name="operation"/> (worker index, the operation's number across all workers; true when it
    /// succeeded, false when refused) on <paramref name="workers"/> workers until <paramref name="duration"/> has
    /// passed or <paramref name="maxOperations"/> were started.
    /// </summary>
    public static async Task<Outcome> RunAsync(int workers, TimeSpan duration, long maxOperations,
        Func<int, long, CancellationToken, Task<bool>> operation, CancellationToken cancellationToken, IReadOnlyList<ServerProcess>? servers = null)
    {
        var cpuBefore = servers?.Sum(s => (double)s.Sample().CpuMicroseconds);
        var latency = new LatencyHistogram();
        long started = 0, done = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            while (clock.Elapsed < duration && !cancellationToken.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref started) - 1;
                if (n >= maxOperations)
                {
                    break;
                }
                var start = Stopwatch.GetTimestamp();
                var ok = await operation(w, n, cancellationToken);
                latency.Record(Payload.MicrosecondsSince(start));
                Interlocked.Increment(ref ok ? ref done : ref refused);
            }
        }, cancellationToken)));
        var elapsed = clock.Elapsed;
        return new Outcome(done, refused, elapsed, latency, ServerCpuMicroseconds: servers?.Sum(s => (double)s.Sample().CpuMicroseconds) - cpuBefore);
    }

    /// <summary>
    /// The run's yardstick: a bare <c>POST /api/publish</c> (no feature, no database) in a closed loop of
    /// <paramref name="workers"/>, on the same server minutes (or seconds) from the feature's figures, after a short
    /// warm-up, to <paramref name="channel"/> of each worker. Feature figures are divided by it, so a slower or busier machine moves both alike.
    /// </summary>
    public static async Task<Outcome> PublishBaselineAsync(ServerApi api, int workers, TimeSpan duration, Func<int, string> channel,
        CancellationToken cancellationToken, IReadOnlyList<ServerProcess>? servers = null)
    {
        async Task<bool> Publish(int w, long n, CancellationToken ct)
        {
            (await api.PostAsync("/api/publish", $$$"""{"channel":"{{{channel(w)}}}","type":"tick","data":{"n":{{{n}}}}}""", ct))
                .EnsureOk("POST /api/publish");
            return true;
        }
        var warmUp = await RunAsync(workers, duration / 4, 200, Publish, cancellationToken);
        return await RunAsync(workers, duration, 1_000_000, Publish, cancellationToken, servers) with { WarmUpDone = warmUp.Done };
    }

    /// <summary>Records the baseline's figures under <paramref name="scenario"/>.</summary>
    public static void AddBaseline(ScenarioContext context, string scenario, ServerKind kind, int round, Outcome baseline)
    {
        var r = context.Results;
        r.Add(scenario, kind, round, "baseline_publish_per_s", baseline.PerSecond, "calls/s", Better.Higher);
        r.Add(scenario, kind, round, "baseline_publish_p50_ms", baseline.P50Ms, "ms", Better.Lower);
        r.Add(scenario, kind, round, "baseline_publish_p99_ms", baseline.P99Ms, "ms", Better.Lower);
        if (baseline.CpuPerOperation is { } cpu)
        {
            r.Add(scenario, kind, round, "baseline_publish_server_cpu_us", cpu, "µs", Better.Lower);
        }
    }

    /// <summary>Records an operation's rate and latency, and both as ratios to the baseline, as <c>{name}_…</c>.</summary>
    public static void AddAgainstBaseline(ScenarioContext context, string scenario, ServerKind kind, int round, string name, string unit,
        Outcome outcome, Outcome baseline)
    {
        var r = context.Results;
        r.Add(scenario, kind, round, $"{name}_per_s", outcome.PerSecond, unit, Better.Higher);
        r.Add(scenario, kind, round, $"{name}_p50_ms", outcome.P50Ms, "ms", Better.Lower);
        r.Add(scenario, kind, round, $"{name}_p99_ms", outcome.P99Ms, "ms", Better.Lower);
        r.Add(scenario, kind, round, $"{name}_rate_vs_baseline", outcome.PerSecond / baseline.PerSecond, "×", Better.Higher);
        r.Add(scenario, kind, round, $"{name}_p50_vs_baseline", outcome.P50Ms / baseline.P50Ms, "×", Better.Lower);
        if (outcome.CpuPerOperation is { } cpu)
        {
            r.Add(scenario, kind, round, $"{name}_server_cpu_us", cpu, "µs", Better.Lower);
            if (baseline.CpuPerOperation is { } baseCpu)
            {
                r.Add(scenario, kind, round, $"{name}_cpu_vs_baseline", cpu / baseCpu, "×", Better.Lower);
            }
        }
    }

    /// <summary>Waits (polling, bounded) until <paramref name="condition"/> holds; false when the bound passed first.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan limit, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                return false;
            }
            await Task.Delay(5, cancellationToken);
        }
        return true;
    }
}
