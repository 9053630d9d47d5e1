using Hubbub.Bench;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Measure;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Tests;

/// <summary>The bench's pure parts: command line, statistics, histogram, payload parsing, target judging.</summary>
public sealed class UnitTests
{
    [Fact]
    public void Issue_size_sets_the_issues_sizes_and_later_options_and_variants_apply_on_top()
    {
        var settings = BenchSettings.Parse(["checkins,auction,events", "--issue-size", "--members", "150",
            "--variant", "before:Storage__SqliteQueueWriters=false;Kit__OutboxCoalesceDeletes=false"], out var error);

        Assert.Null(error);
        Assert.Equal(150, settings!.CheckinMembers);
        Assert.Equal(10, settings.Dashboards);
        Assert.Equal(50, settings.Bidders);
        Assert.Equal(100, settings.Auctions);
        Assert.Equal(20, settings.BiddersPerAuction);
        Assert.Equal(10_000, settings.EventUsers);
        Assert.True(settings.RealisticRules);
        Assert.Equal(["sqlite", "postgres", "two-nodes"], settings.Databases);
        var (name, env) = Assert.Single(settings.Variants);
        Assert.Equal("before", name);
        Assert.Equal("false", env["Storage__SqliteQueueWriters"]);
        Assert.Equal("false", env["Kit__OutboxCoalesceDeletes"]);
        Assert.Null(BenchSettings.Parse(["checkins", "--databases", "oracle"], out _));
        Assert.Null(BenchSettings.Parse(["checkins", "--variant", "no-settings"], out _));
        Assert.Null(BenchSettings.Parse(["checkins", "--variant", "x:novalue"], out _));
    }

    [Fact]
    public void Parse_reads_scenarios_and_options_and_refuses_bad_input()
    {
        var all = BenchSettings.Parse(["all", "--rounds", "5", "--servers", "hubbub,kestrel", "--rates", "50,10"], out var error);
        Assert.Null(error);
        Assert.Equal(BenchSettings.AllScenarios, all!.Scenarios);
        Assert.Equal(5, all.Rounds);
        Assert.Equal([ServerKind.Hubbub, ServerKind.Kestrel], all.Servers);
        Assert.Equal([10, 50], all.Rates);

        var quick = BenchSettings.Parse(["fanout,echo", "--quick"], out _);
        Assert.True(quick!.Quick);
        Assert.Equal(1, quick.Rounds);
        Assert.Equal(["fanout", "echo"], quick.Scenarios);

        Assert.Null(BenchSettings.Parse([], out error));
        Assert.NotNull(error);
        Assert.Null(BenchSettings.Parse(["nope"], out error));
        Assert.Contains("nope", error, StringComparison.Ordinal);
        Assert.Null(BenchSettings.Parse(["idle", "--rounds", "0"], out _));
        Assert.Null(BenchSettings.Parse(["idle", "--rounds"], out _));
        Assert.Null(BenchSettings.Parse(["idle", "--servers", "nginx"], out _));
        Assert.Null(BenchSettings.Parse(["idle", "--bogus", "1"], out _));
    }

    [Fact]
    public void Stats_take_the_median_and_range()
    {
        Assert.Equal(new Stats(2, 1, 9, 3), Stats.Of([9, 1, 2]));
        Assert.Equal(new Stats(2.5, 1, 9, 4), Stats.Of([9, 1, 2, 3]));
        Assert.Equal(3, Stats.Percentile([1, 2, 3, 4], 75));
        Assert.Equal(0, Stats.Percentile([], 50));
    }

    [Fact]
    public void Histogram_percentiles_fall_in_the_right_bucket_and_max_is_exact()
    {
        var h = new LatencyHistogram();
        Assert.Equal(0, h.Percentile(99));
        for (var i = 1; i <= 100; i++)
        {
            h.Record(i * 100); // 100 µs … 10 ms
        }
        h.Record(250_000);
        Assert.Equal(101, h.Count);
        Assert.Equal(250_000, h.MaxMicroseconds);
        Assert.InRange(h.Percentile(50), 5_000, 5_110);
        Assert.Equal(250_000, h.Percentile(100));
        h.Record(-5);
        Assert.Equal(102, h.Count);
    }

    [Fact]
    public void Payload_is_about_150_bytes_and_parses_inside_any_envelope()
    {
        var payload = Payload.Create(3, 42);
        Assert.InRange(payload.Length, Payload.Size - 5, Payload.Size + 5);
        byte[] frame = [.. """{"type":"message","channel":"public:bench","offset":7,"data":"""u8, .. payload, .. ""","from":{"user":"b1","name":"bench b1"}}"""u8];
        Assert.True(Payload.TryParse(frame, out var fields));
        Assert.Equal(3, fields.Step);
        Assert.Equal(42, fields.Seq);
        Assert.True(Payload.MicrosecondsSince(fields.Timestamp) >= 0);
        Assert.True(Payload.TryNumber(frame, "\"offset\":"u8, out var offset));
        Assert.Equal(7, offset);
        Assert.False(Payload.TryParse("""{"type":"welcome"}"""u8, out _));
    }

    [Fact]
    public void Targets_are_judged_on_medians_and_unmeasured_ones_say_so()
    {
        var results = new ResultSet();
        foreach (var (kind, step, rate) in new[] { (ServerKind.Hubbub, 200.0, 200_000.0), (ServerKind.Kestrel, 200.0, 199_000.0), (ServerKind.SignalR, 50.0, 50_000.0) })
        {
            results.Add("fanout", kind, 1, "highest_step_passed", step, "msgs/s", Better.Higher);
            results.Add("fanout", kind, 1, "deliveries_per_s", rate, "/s", Better.Higher);
        }
        results.Add("echo", ServerKind.Hubbub, 1, "p50_us", 130, "µs", Better.Lower);
        results.Add("echo", ServerKind.Kestrel, 1, "p50_us", 100, "µs", Better.Lower);

        var checks = TargetCheck.Evaluate(results);

        Assert.Equal("met", checks.Single(c => c.Target.StartsWith("fan-out: pass", StringComparison.Ordinal)).Status);
        Assert.Equal("met", checks.Single(c => c.Target.Contains("4×", StringComparison.Ordinal)).Status);
        Assert.Equal("not met", checks.Single(c => c.Target.Contains("stretch", StringComparison.Ordinal)).Status);
        Assert.Equal("not met", checks.Single(c => c.Target.StartsWith("echo", StringComparison.Ordinal)).Status);
        Assert.Equal("not measured", checks.Single(c => c.Target.StartsWith("idle", StringComparison.Ordinal)).Status);
        Assert.Equal("not measured", checks.Single(c => c.Target.StartsWith("recovery", StringComparison.Ordinal)).Status);
    }

    [Fact]
    public void Echo_is_judged_on_the_ratio_within_each_round_not_on_medians_from_different_rounds()
    {
        var results = new ResultSet();
        // The 2026-12-01 18:56 run: the baseline's own p50 moved 86.5-137 µs between rounds.
        foreach (var (round, hubbub, kestrel) in new[] { (1, 92.7, 89.0), (2, 113.4, 86.5), (3, 129.5, 137.0) })
        {
            results.Add("echo", ServerKind.Hubbub, round, "p50_us", hubbub, "µs", Better.Lower);
            results.Add("echo", ServerKind.Kestrel, round, "p50_us", kestrel, "µs", Better.Lower);
        }
        results.Add("echo", ServerKind.SignalR, 1, "p50_us", 140, "µs", Better.Lower);

        var paired = results.PairedRatio("echo", "p50_us", ServerKind.Hubbub, ServerKind.Kestrel)!.Value;
        Assert.Equal(3, paired.Count);
        Assert.Equal(92.7 / 89.0, paired.Median, 6);
        Assert.Equal(129.5 / 137.0, paired.Min, 6);
        Assert.Equal(113.4 / 86.5, paired.Max, 6);
        var echo = TargetCheck.Evaluate(results).Single(c => c.Target.StartsWith("echo", StringComparison.Ordinal));
        Assert.Equal("met", echo.Status);
        Assert.Contains("1.27× of medians", echo.Measured, StringComparison.Ordinal);
        Assert.Contains("per round 1.04×", echo.Measured, StringComparison.Ordinal);

        // A round where only one server was measured makes no pair.
        var lonely = new ResultSet();
        lonely.Add("echo", ServerKind.Hubbub, 1, "p50_us", 90, "µs", Better.Lower);
        lonely.Add("echo", ServerKind.Kestrel, 2, "p50_us", 90, "µs", Better.Lower);
        Assert.Null(lonely.PairedRatio("echo", "p50_us", ServerKind.Hubbub, ServerKind.Kestrel));
        Assert.Equal("not measured", TargetCheck.Evaluate(lonely).Single(c => c.Target.StartsWith("echo", StringComparison.Ordinal)).Status);
    }

    [Fact]
    public void Tokens_are_three_part_jwts()
    {
        var parts = Tokens.For("b1").Split('.');
        Assert.Equal(3, parts.Length);
        Assert.All(parts, p => Assert.DoesNotContain('=', p));
    }

    [Fact]
    public void A_gen0_budget_variant_is_spelled_as_the_runtime_reads_it()
    {
        var settings = BenchSettings.Parse(["leaderboard", "--gen0-budget-variant", "2"], out var error);
        Assert.Null(error);
        var (name, env) = Assert.Single(settings!.Variants);
        Assert.Equal("gen0-2m", name);
        Assert.Equal("0x200000", env["DOTNET_GCGen0MaxBudget"]);

        // Another case is never read on Linux; a value without 0x is read as hexadecimal (67108864 is 1.6 GiB).
        Assert.Null(BenchSettings.Parse(["leaderboard", "--variant", "x:DOTNET_GCgen0MaxBudget=0x4000000"], out error));
        Assert.Contains("spelled exactly so", error, StringComparison.Ordinal);
        Assert.Null(BenchSettings.Parse(["leaderboard", "--variant", "x:DOTNET_GCGen0MaxBudget=67108864"], out error));
        Assert.Contains("hexadecimal", error, StringComparison.Ordinal);
        Assert.NotNull(BenchSettings.Parse(["leaderboard", "--variant", "x:DOTNET_GCGen0MaxBudget=0x4000000"], out _));
    }

    [Fact]
    public void A_profile_folder_is_taken_as_a_full_path_and_the_profiled_server_names_its_jit_frames()
    {
        Assert.Null(BenchSettings.Parse(["leaderboard"], out _)!.ProfileFolder);
        var settings = BenchSettings.Parse(["leaderboard", "--profile", "prof"], out var error);
        Assert.Null(error);
        Assert.Equal(Path.GetFullPath("prof"), settings!.ProfileFolder);
        // perf finds JIT-compiled names in /tmp/perf-PID.map, and only for code in anonymous memory (not W^X's memfd).
        Assert.Equal("1", ProfileWindow.ServerEnvironment["DOTNET_PerfMapEnabled"]);
        Assert.Equal("0", ProfileWindow.ServerEnvironment["DOTNET_EnableWriteXorExecute"]);
    }
}
