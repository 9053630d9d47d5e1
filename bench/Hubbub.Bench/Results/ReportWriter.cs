using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Results;

/// <summary>Writes a run as markdown (summary tables, ladders, targets) and CSV (every raw figure and ladder step).</summary>
public static class ReportWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The files written.</summary>
    /// <param name="Markdown">The markdown report.</param>
    /// <param name="Csv">Every measurement, one per line.</param>
    /// <param name="StepsCsv">Every ladder step, one per line.</param>
    public sealed record Files(string Markdown, string Csv, string StepsCsv);

    /// <summary>Writes <c>&lt;stamp&gt;.md</c>, <c>&lt;stamp&gt;.csv</c>, <c>&lt;stamp&gt;-steps.csv</c> and copies them as <c>latest*</c>.</summary>
    public static Files Write(ResultSet results, BenchSettings settings, DateTimeOffset startedAt, TimeSpan took)
    {
        Directory.CreateDirectory(settings.OutputFolder);
        var stamp = startedAt.ToString("yyyyMMdd-HHmmss", Inv) + (settings.Quick ? "-quick" : "");
        var md = Path.Combine(settings.OutputFolder, $"{stamp}.md");
        var csv = Path.Combine(settings.OutputFolder, $"{stamp}.csv");
        var steps = Path.Combine(settings.OutputFolder, $"{stamp}-steps.csv");
        File.WriteAllText(md, Markdown(results, settings, startedAt, took));
        File.WriteAllText(csv, Csv(results));
        File.WriteAllText(steps, StepsCsv(results));
        var prefix = settings.Quick ? "latest-quick" : "latest";
        File.Copy(md, Path.Combine(settings.OutputFolder, $"{prefix}.md"), overwrite: true);
        File.Copy(csv, Path.Combine(settings.OutputFolder, $"{prefix}.csv"), overwrite: true);
        File.Copy(steps, Path.Combine(settings.OutputFolder, $"{prefix}-steps.csv"), overwrite: true);
        return new Files(md, csv, steps);
    }

    /// <summary>A cell: median with min–max when rounds differ.</summary>
    public static string Cell(Measure.Stats? stats)
    {
        if (stats is not { } s || double.IsNaN(s.Median))
        {
            return "–";
        }
        var format = Math.Abs(s.Median) >= 100 ? "#,0" : Math.Abs(s.Median) >= 10 ? "0.0" : "0.00";
        var median = s.Median.ToString(format, Inv);
        return s.Count > 1 && s.Min != s.Max ? $"{median} ({s.Min.ToString(format, Inv)}–{s.Max.ToString(format, Inv)})" : median;
    }

    /// <summary>Hubbub's median over another server's, as text.</summary>
    public static string Ratio(Measure.Stats? hubbub, Measure.Stats? other) =>
        hubbub is { } h && other is { } o && o.Median != 0 && !double.IsNaN(h.Median) && !double.IsNaN(o.Median)
            ? (h.Median / o.Median).ToString("0.00", Inv) + "×" : "–";

    private static string Markdown(ResultSet results, BenchSettings settings, DateTimeOffset startedAt, TimeSpan took)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"# Hubbub benchmark, {startedAt:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine();
        sb.AppendLine(Inv, $"- machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        sb.AppendLine(Inv, $"- mode: {(settings.Quick ? "quick" : "full")}, {settings.Rounds} round(s), servers interleaved within each round; took {took.TotalMinutes:0.0} min");
        sb.AppendLine(Inv, $"- cells: median (min–max) over rounds; ratios are Hubbub's median over the baseline's");
        sb.AppendLine(Inv, $"- fan-out: {settings.Subscribers} subscribers, {Clients.Payload.Size}-byte payload, {settings.StepDuration.TotalSeconds:0.#} s per step, pass = zero loss, no duplicate, no disconnect, p99 < {Scenarios.Ladder.P99LimitMs} ms");
        sb.AppendLine(Inv, $"- Hubbub: Production, limits on; per-connection rate limit raised to {ServerProcess.BenchMessagesPerSecond} msgs/s (burst {ServerProcess.BenchMessagesPerSecond}) for the one load publisher; every server logs at Warning");
        sb.AppendLine();

        var checks = TargetCheck.Evaluate(results);
        sb.AppendLine("## Targets");
        sb.AppendLine();
        sb.AppendLine("| target | this run | status |");
        sb.AppendLine("|---|---|---|");
        foreach (var c in checks)
        {
            sb.AppendLine(Inv, $"| {c.Target} | {c.Measured} | {c.Status} |");
        }
        sb.AppendLine();

        var servers = settings.Servers;
        foreach (var scenario in results.Scenarios)
        {
            sb.AppendLine(Inv, $"## {scenario}");
            sb.AppendLine();
            if (results.Notes.TryGetValue(scenario, out var note))
            {
                sb.AppendLine(Inv, $"_{note}_");
                sb.AppendLine();
            }
            var metrics = results.MetricsOf(scenario);
            if (metrics.Count == 0)
            {
                continue;
            }
            var shown = servers.Where(s => metrics.Any(m => results.Summary(scenario, s, m.Metric) is not null)).ToList();
            var baselines = shown.Where(s => s != ServerKind.Hubbub).ToList();
            var hasHubbub = shown.Contains(ServerKind.Hubbub);
            sb.Append("| metric | unit |");
            foreach (var s in shown)
            {
                sb.Append(Inv, $" {s.Title()} |");
            }
            if (hasHubbub)
            {
                foreach (var b in baselines)
                {
                    sb.Append(Inv, $" Hubbub ÷ {b.Title()} |");
                }
            }
            sb.AppendLine();
            sb.Append("|---|---|");
            sb.Append(string.Concat(Enumerable.Repeat("---|", shown.Count + (hasHubbub ? baselines.Count : 0))));
            sb.AppendLine();
            foreach (var (metric, unit, _) in metrics)
            {
                sb.Append(Inv, $"| {metric} | {unit} |");
                foreach (var s in shown)
                {
                    sb.Append(Inv, $" {Cell(results.Summary(scenario, s, metric))} |");
                }
                if (hasHubbub)
                {
                    var h = results.Summary(scenario, ServerKind.Hubbub, metric);
                    foreach (var b in baselines)
                    {
                        sb.Append(Inv, $" {Ratio(h, results.Summary(scenario, b, metric))} |");
                    }
                }
                sb.AppendLine();
            }
            sb.AppendLine();
            PerRoundRatios(sb, results, scenario);
            LadderTable(sb, results, scenario);
        }
        return sb.ToString();
    }

    /// <summary>
    /// For the round-trip scenarios, each round's Hubbub and Kestrel p50 and their ratio: the two are measured back
    /// to back within a round, so the per-round ratio carries less of the machine's drift than a ratio of medians.
    /// </summary>
    private static void PerRoundRatios(StringBuilder sb, ResultSet results, string scenario)
    {
        if (scenario is not ("echo" or "publish"))
        {
            return;
        }
        var rounds = results.PerRound(scenario, "p50_us", ServerKind.Hubbub, ServerKind.Kestrel);
        if (rounds.Count == 0)
        {
            return;
        }
        sb.Append("Per round, p50 Hubbub / Kestrel µs (ratio): " + string.Join(", ",
            rounds.Select(r => string.Create(Inv, $"{r.Of:0.0} / {r.Base:0.0} ({r.Of / r.Base:0.00}×)"))));
        var paired = results.PairedRatio(scenario, "p50_us", ServerKind.Hubbub, ServerKind.Kestrel)!.Value;
        sb.AppendLine(Inv, $"; median of the per-round ratios {paired.Median:0.00}× ({paired.Min:0.00}–{paired.Max:0.00}).");
        sb.AppendLine();
    }

    private static void LadderTable(StringBuilder sb, ResultSet results, string scenario)
    {
        var steps = results.Steps.Where(s => s.Scenario == scenario).ToList();
        if (steps.Count == 0)
        {
            return;
        }
        sb.AppendLine("Ladder (every round; ✓ passed, ✗ failed):");
        sb.AppendLine();
        sb.AppendLine("| server | round | msgs/s | delivered / expected | dup | disc | deliveries/s | p50 ms | p95 ms | p99 ms | max ms | server CPU µs/delivery | server CPU % | load gen CPU % | |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in steps)
        {
            sb.AppendLine(Inv, $"| {s.Server} | {s.Round} | {s.Rate} | {s.Delivered:#,0} / {s.Expected:#,0} | {s.Duplicates} | {s.Disconnected} | {s.DeliveriesPerSecond:#,0} | {s.P50Ms:0.00} | {s.P95Ms:0.00} | {s.P99Ms:0.00} | {s.MaxMs:0.0} | {s.ServerCpuUsPerDelivery:0.00} | {s.ServerCpuPercent:0} | {s.LoadCpuPercent:0} | {(s.Passed ? "✓" : "✗")} |");
        }
        sb.AppendLine();
    }

    private static string Csv(ResultSet results)
    {
        var sb = new StringBuilder("scenario,server,round,metric,value,unit\n");
        foreach (var m in results.Measurements)
        {
            sb.AppendLine(Inv, $"{m.Scenario},{m.Server},{m.Round},{m.Metric},{m.Value.ToString("R", Inv)},{m.Unit}");
        }
        return sb.ToString();
    }

    private static string StepsCsv(ResultSet results)
    {
        var sb = new StringBuilder("scenario,server,round,rate,sent,expected,delivered,duplicates,disconnected,deliveries_per_s,p50_ms,p95_ms,p99_ms,max_ms,server_cpu_us_per_delivery,server_cpu_pct,loadgen_cpu_pct,passed\n");
        foreach (var s in results.Steps)
        {
            sb.AppendLine(Inv, $"{s.Scenario},{s.Server},{s.Round},{s.Rate},{s.Sent},{s.Expected},{s.Delivered},{s.Duplicates},{s.Disconnected},{s.DeliveriesPerSecond:0.#},{s.P50Ms:0.###},{s.P95Ms:0.###},{s.P99Ms:0.###},{s.MaxMs:0.###},{s.ServerCpuUsPerDelivery:0.###},{s.ServerCpuPercent:0.#},{s.LoadCpuPercent:0.#},{s.Passed}");
        }
        return sb.ToString();
    }
}
