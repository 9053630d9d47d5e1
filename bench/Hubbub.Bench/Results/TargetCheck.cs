using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Results;

/// <summary>One of the issue's targets, judged on one run's medians.</summary>
/// <param name="Target">What was asked.</param>
/// <param name="Measured">What this run measured.</param>
/// <param name="Status">met, not met, or not measured.</param>
public sealed record TargetCheck(string Target, string Measured, string Status)
{
    /// <summary>Judges every target the run has figures for.</summary>
    public static IReadOnlyList<TargetCheck> Evaluate(ResultSet results)
    {
        var checks = new List<TargetCheck>();
        double? M(string scenario, ServerKind kind, string metric) => results.Summary(scenario, kind, metric)?.Median;
        static string Status(bool? met) => met switch { true => "met", false => "not met", _ => "not measured" };

        var hubStep = M("fanout", ServerKind.Hubbub, "highest_step_passed");
        var kesStep = M("fanout", ServerKind.Kestrel, "highest_step_passed");
        var hubRate = M("fanout", ServerKind.Hubbub, "deliveries_per_s");
        var sigRate = M("fanout", ServerKind.SignalR, "deliveries_per_s");
        checks.Add(new("fan-out: pass at least the Kestrel baseline's step",
            $"Hubbub {Fmt(hubStep)} msgs/s, Kestrel {Fmt(kesStep)} msgs/s",
            Status(hubStep is { } h && kesStep is { } k ? h >= k : null)));
        checks.Add(new("fan-out: ≥ 4× SignalR's deliveries/s",
            $"Hubbub {Fmt(hubRate)}/s, SignalR {Fmt(sigRate)}/s ({Ratio(hubRate, sigRate)})",
            Status(hubRate is { } hr && sigRate is { } sr && sr > 0 ? hr >= 4 * sr : null)));
        checks.Add(new("fan-out stretch: pass 500 msgs/s × 1000 subscribers",
            $"Hubbub {Fmt(hubStep)} msgs/s",
            Status(hubStep is { } hs ? hs >= 500 : null)));

        var level = results.MetricsOf("idle").Select(m => m.Metric).Where(m => m.StartsWith("rss_kib_per_conn_", StringComparison.Ordinal)).LastOrDefault();
        var hubIdle = level is null ? null : M("idle", ServerKind.Hubbub, level);
        var kesIdle = level is null ? null : M("idle", ServerKind.Kestrel, level);
        var sigIdle = level is null ? null : M("idle", ServerKind.SignalR, level);
        checks.Add(new($"idle memory ≤ 10 KiB per connection ({level?.Replace("rss_kib_per_conn_", "", StringComparison.Ordinal) ?? "?"} connections), below Kestrel, under half of SignalR",
            $"Hubbub {Fmt(hubIdle, "0.0")} KiB, Kestrel {Fmt(kesIdle, "0.0")} KiB, SignalR {Fmt(sigIdle, "0.0")} KiB",
            Status(hubIdle is { } hi ? hi <= 10 && (kesIdle is not { } ki || hi < ki) && (sigIdle is not { } si || hi < si / 2) : null)));

        // Judged on the ratio within each round (the two servers measured back to back), median over rounds: the
        // machine's wake-up latency drifts between rounds by more than the servers differ (one server's p50 moved
        // 87-137 µs within one run), and a ratio of medians taken from different rounds carries that drift.
        var hubEcho = M("echo", ServerKind.Hubbub, "p50_us");
        var kesEcho = M("echo", ServerKind.Kestrel, "p50_us");
        var paired = results.PairedRatio("echo", "p50_us", ServerKind.Hubbub, ServerKind.Kestrel);
        checks.Add(new("echo p50 within 1.2× the Kestrel baseline",
            $"Hubbub {Fmt(hubEcho)} µs, Kestrel {Fmt(kesEcho)} µs ({Ratio(hubEcho, kesEcho)} of medians); "
            + $"per round {Fmt(paired?.Median, "0.00")}× ({Fmt(paired?.Min, "0.00")}–{Fmt(paired?.Max, "0.00")})",
            Status(paired is { } p ? p.Median <= 1.2 : null)));

        var hubPublish = M("publish", ServerKind.Hubbub, "p50_us");
        var pairedPublish = results.PairedRatio("publish", "p50_us", ServerKind.Hubbub, ServerKind.Kestrel);
        checks.Add(new("publish round trip p50 within 1.2× the Kestrel echo",
            $"Hubbub {Fmt(hubPublish)} µs, Kestrel echo {Fmt(M("publish", ServerKind.Kestrel, "p50_us"))} µs; "
            + $"per round {Fmt(pairedPublish?.Median, "0.00")}× ({Fmt(pairedPublish?.Min, "0.00")}–{Fmt(pairedPublish?.Max, "0.00")})",
            Status(pairedPublish is { } pp ? pp.Median <= 1.2 : null)));

        var storm = M("recovery-storm", ServerKind.Hubbub, "all_recovered_ms");
        var gaps = results.Summary("recovery-storm", ServerKind.Hubbub, "gaps")?.Max;
        var dups = results.Summary("recovery-storm", ServerKind.Hubbub, "duplicates")?.Max;
        checks.Add(new("recovery storm: all clients recovered in < 2 s, zero gaps, zero duplicates",
            $"{Fmt(storm)} ms, gaps {Fmt(gaps)}, duplicates {Fmt(dups)} (worst round)",
            Status(storm is { } s ? s < 2000 && gaps == 0 && dups == 0 : null)));
        return checks;
    }

    private static string Fmt(double? value, string format = "#,0") =>
        value is { } v && !double.IsNaN(v) ? v.ToString(format, System.Globalization.CultureInfo.InvariantCulture) : "–";

    private static string Ratio(double? a, double? b) =>
        a is { } x && b is { } y && y != 0 && !double.IsNaN(x) && !double.IsNaN(y)
            ? $"{(x / y).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}×" : "–";
}
