using System.Diagnostics;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// The fan-out rate ladder shared by <c>fanout</c> and <c>cluster</c>: one publisher, many subscribers; each step
/// publishes at a fixed rate for a fixed time, waits (bounded) for the deliveries, and passes with zero loss, no
/// duplicates, no lost connection and p99 below 100 ms. The ladder stops at the first failed step.
/// </summary>
public static class Ladder
{
    /// <summary>The p99 bound a step must stay under.</summary>
    public const double P99LimitMs = 100;

    /// <summary>How long after the last send the deliveries may still arrive before the rest counts as lost.</summary>
    public static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Runs the ladder and records each step and the summary figures. Each of <paramref name="parts"/> (a process of
    /// the deployment, e.g. each cluster node and Redis) gets its own CPU µs per published message at every step and
    /// at the best one, the per-message costs a capacity model is built from.
    /// </summary>
    public static async Task RunAsync(ScenarioContext context, string scenario, ServerKind kind, int round, IPublisher publisher,
        FanoutSink sink, int subscribers, IReadOnlyList<ServerProcess> servers, CancellationToken cancellationToken,
        IReadOnlyList<CpuPart>? parts = null)
    {
        parts ??= [];
        // Warm-up (step 0): publish until every subscriber has seen one, so every socket is live on the server
        // and the JIT has compiled the path before anything is measured.
        sink.BeginStep(0);
        var warm = Stopwatch.StartNew();
        long seq = 0;
        while (sink.Reached < subscribers && warm.Elapsed < TimeSpan.FromSeconds(20))
        {
            await publisher.PublishAsync(Payload.Create(0, seq++), cancellationToken);
            await Task.Delay(20, cancellationToken);
        }
        if (sink.Reached < subscribers)
        {
            throw new TimeoutException($"only {sink.Reached} of {subscribers} subscribers received the warm-up");
        }
        // Then a few seconds of steady traffic, so tiered compilation has promoted every server's hot path before
        // step one. One second was not enough for the SignalR baseline: its first step (10 msgs/s, 30 messages) then
        // failed on a single ~100 ms stall in 4 of 6 rounds, which stopped its ladder at zero.
        for (var i = 0; i < 300; i++)
        {
            await publisher.PublishAsync(Payload.Create(0, seq++), cancellationToken);
            await Task.Delay(10, cancellationToken);
        }
        await Task.Delay(1000, cancellationToken);

        LadderStep? best = null;
        LadderStep? at100 = null;
        double[]? bestParts = null;
        var step = 0;
        foreach (var rate in context.Settings.Rates)
        {
            step++;
            context.Status($"{scenario} {kind.Title()} round {round}: {rate} msgs/s");
            var partsBefore = parts.Select(p => p.CpuMicroseconds()).ToArray();
            var result = await RunStepAsync(scenario, kind, round, step, rate, publisher, sink, subscribers, servers,
                context.Settings.StepDuration, cancellationToken);
            var perMessage = parts.Select((p, i) => (p.CpuMicroseconds() - partsBefore[i]) / (double)Math.Max(1, result.Sent)).ToArray();
            if (parts.Count > 0)
            {
                context.Status($"{scenario} {rate} msgs/s: CPU µs per message "
                    + string.Join(", ", parts.Select((p, i) => $"{p.Name} {perMessage[i]:0}")));
            }
            context.Results.AddStep(result);
            for (var i = 0; i < parts.Count; i++)
            {
                // Every step, passed or not: CPU per message is a cost, measurable even where the latency bound failed.
                context.Results.Add(scenario, kind, round, $"{parts[i].Name}_cpu_us_per_msg_at_{rate}", perMessage[i], "µs", Better.Lower);
            }
            if (rate == 100)
            {
                at100 = result;
            }
            if (!result.Passed)
            {
                if (context.Settings.KeepClimbing && result.Disconnected == 0)
                {
                    continue;
                }
                break;
            }
            best = result;
            bestParts = perMessage;
            await Task.Delay(200, cancellationToken);
        }

        var r = context.Results;
        r.Add(scenario, kind, round, "highest_step_passed", best?.Rate ?? 0, "msgs/s", Better.Higher);
        r.Add(scenario, kind, round, "deliveries_per_s", best?.DeliveriesPerSecond ?? 0, "/s", Better.Higher);
        r.Add(scenario, kind, round, "p50_ms", best?.P50Ms ?? double.NaN, "ms", Better.Lower);
        r.Add(scenario, kind, round, "p95_ms", best?.P95Ms ?? double.NaN, "ms", Better.Lower);
        r.Add(scenario, kind, round, "p99_ms", best?.P99Ms ?? double.NaN, "ms", Better.Lower);
        r.Add(scenario, kind, round, "max_ms", best?.MaxMs ?? double.NaN, "ms", Better.Lower);
        r.Add(scenario, kind, round, "server_cpu_us_per_delivery", best?.ServerCpuUsPerDelivery ?? double.NaN, "µs", Better.Lower);
        r.Add(scenario, kind, round, "server_cpu_pct", best?.ServerCpuPercent ?? double.NaN, "% of a core", Better.None);
        r.Add(scenario, kind, round, "loadgen_cpu_pct", best?.LoadCpuPercent ?? double.NaN, "% of a core", Better.None);
        if (at100 is not null)
        {
            r.Add(scenario, kind, round, "p99_ms_at_100", at100.P99Ms, "ms", Better.Lower);
            r.Add(scenario, kind, round, "server_cpu_us_per_delivery_at_100", at100.ServerCpuUsPerDelivery, "µs", Better.Lower);
        }
        for (var i = 0; i < parts.Count; i++)
        {
            r.Add(scenario, kind, round, $"{parts[i].Name}_cpu_us_per_msg", bestParts?[i] ?? double.NaN, "µs", Better.Lower);
        }
    }

    private static async Task<LadderStep> RunStepAsync(string scenario, ServerKind kind, int round, int step, int rate,
        IPublisher publisher, FanoutSink sink, int subscribers, IReadOnlyList<ServerProcess> servers, TimeSpan duration,
        CancellationToken cancellationToken)
    {
        var count = (long)Math.Max(1, Math.Round(rate * duration.TotalSeconds));
        var closedBefore = sink.Closed;
        sink.BeginStep(step);
        var serverBefore = servers.Sum(s => s.Sample().CpuMicroseconds);
        var selfBefore = ProcSample.Self().CpuMicroseconds;
        var clock = Stopwatch.StartNew();
        var start = Stopwatch.GetTimestamp();

        // Paced: message i is due at i / rate seconds; a late publisher catches up in a burst. Bounded in count
        // (count messages) and time (duration + 10 s).
        long sent = 0;
        while (sent < count && clock.Elapsed < duration + TimeSpan.FromSeconds(10))
        {
            var due = Math.Min(count, (long)(clock.Elapsed.TotalSeconds * rate) + 1);
            while (sent < due)
            {
                await publisher.PublishAsync(Payload.Create(step, sent), cancellationToken);
                sent++;
            }
            if (sent < count)
            {
                await Task.Delay(1, cancellationToken);
            }
        }
        var sendEnd = clock.Elapsed;

        var expected = sent * subscribers;
        while (sink.Total < expected && clock.Elapsed < sendEnd + DrainLimit && sink.Closed == closedBefore)
        {
            await Task.Delay(5, cancellationToken);
        }
        var serverCpu = servers.Sum(s => s.Sample().CpuMicroseconds) - serverBefore;
        var selfCpu = ProcSample.Self().CpuMicroseconds - selfBefore;
        var elapsed = clock.Elapsed;

        var delivered = sink.Total;
        var lastDelivery = sink.LastDeliveryTimestamp;
        var activeSeconds = lastDelivery > start ? Stopwatch.GetElapsedTime(start, lastDelivery).TotalSeconds : elapsed.TotalSeconds;
        var latency = sink.Latency;
        var p99 = latency.Percentile(99) / 1000.0;
        var disconnected = sink.Closed - closedBefore;
        var passed = delivered == expected && sink.Duplicates == 0 && disconnected == 0 && p99 < P99LimitMs && sent == count;
        return new LadderStep(scenario, kind.Key(), round, rate, sent, expected, delivered, sink.Duplicates, disconnected,
            delivered / Math.Max(activeSeconds, 0.001), latency.Percentile(50) / 1000.0, latency.Percentile(95) / 1000.0, p99,
            latency.MaxMicroseconds / 1000.0, delivered == 0 ? double.NaN : (double)serverCpu / delivered,
            selfCpu / 10_000.0 / elapsed.TotalSeconds, serverCpu / 10_000.0 / elapsed.TotalSeconds, passed);
    }
}

/// <summary>One process of a deployment whose CPU the ladder reports per published message.</summary>
/// <param name="Name">Its name in the metric (<c>{name}_cpu_us_per_msg</c>).</param>
/// <param name="CpuMicroseconds">Reads its CPU time so far.</param>
public sealed record CpuPart(string Name, Func<long> CpuMicroseconds);
