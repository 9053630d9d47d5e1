using Hubbub.Bench;
using Hubbub.Bench.Infra;
using Spectre.Console;

namespace Hubbub.Bench.Tests;

/// <summary>
/// Smoke runs of the feature scenarios at tiny sizes against the real server (its own process on loopback): each
/// produces its report and its end-of-run invariant checks hold. No timing thresholds.
/// </summary>
public sealed class FeatureScenarioTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hubbub-bench-feature-test").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Outbox_grants_and_bare_publishes_each_deliver_their_one_event_and_balances_add_up()
    {
        var report = await RunAsync("outbox");

        Assert.True(Value(report, "outbox", "grant_per_s") > 0);
        Assert.True(Value(report, "outbox", "baseline_publish_per_s") > 0);
        Assert.True(Value(report, "outbox", "grant_rate_vs_baseline") > 0);
        Assert.Equal(0, Value(report, "outbox", "lost_publish_events"));
        Assert.Equal(0, Value(report, "outbox", "lost_grant_events"));
        Assert.Equal(0, Value(report, "outbox", "extra_events"));
        Assert.Equal(0, Value(report, "outbox", "wrong_balances"));
        Assert.Contains("## outbox", await File.ReadAllTextAsync(report.Files.Markdown), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_deliver_one_xp_gained_each_and_the_seeded_board_ranks_every_user()
    {
        var report = await RunAsync("events");

        Assert.True(Value(report, "events", "event_per_s") > 0);
        Assert.True(Value(report, "events", "xp_gained_p99_ms") > 0);
        Assert.Equal(0, Value(report, "events", "lost_xp_gained"));
        Assert.Equal(0, Value(report, "events", "extra_xp_gained"));
        Assert.Equal(BenchSettings.QuickPreset().BoardEntries, Value(report, "events", "board_entries"));
        Assert.True(Value(report, "events", "board_around_p50_ms") > 0);
        Assert.Equal(0, Value(report, "events", "board_wrong_answers"));
    }

    [Fact]
    public async Task Checkins_reach_every_dashboard_as_one_stats_update_each_and_the_stats_count_exactly()
    {
        var report = await RunAsync("checkins");

        Assert.True(Value(report, "checkins", "checkin_or_out_per_s") > 0);
        Assert.True(Value(report, "checkins", "stats_update_p99_ms") > 0);
        Assert.Equal(0, Value(report, "checkins", "lost_stats_updates"));
        Assert.Equal(0, Value(report, "checkins", "extra_stats_updates"));
        Assert.Equal(0, Value(report, "checkins", "wrong_stats_fields"));
    }

    [Fact]
    public async Task Auction_bids_race_on_one_auction_and_price_leader_holds_and_ledger_agree_afterwards()
    {
        var report = await RunAsync("auction");

        Assert.True(Value(report, "auction", "bid_per_s") > 0);
        Assert.True(Value(report, "auction", "bid_placed_p99_ms") > 0);
        Assert.Equal(0, Value(report, "auction", "lost_bid_placed"));
        Assert.Equal(0, Value(report, "auction", "extra_bid_placed"));
        Assert.Equal(0, Value(report, "auction", "invariant_violations"));
    }

    [Fact]
    public async Task Feed_fans_out_one_friend_activity_per_friend_and_pages_match_the_rules_on_both_databases()
    {
        var postgres = Environment.GetEnvironmentVariable("HUBBUB_TEST_POSTGRES") is { Length: > 0 };
        var report = await RunAsync("feed", s => s.Databases = postgres ? ["sqlite", "postgres"] : ["sqlite"]);

        foreach (var run in postgres ? new[] { "feed", "feed postgres" } : ["feed"])
        {
            Assert.Equal(BenchSettings.QuickPreset().Friends, Value(report, run, "friends"));
            Assert.Equal(BenchSettings.QuickPreset().Friends, Value(report, run, "fanout_friends"));
            Assert.True(Value(report, run, "feed_page_p99_ms") > 0, run);
            Assert.True(Value(report, run, "fanout_delivery_p99_ms") > 0, run);
            Assert.True(Value(report, run, "fanout_first_p50_ms") <= Value(report, run, "fanout_last_p50_ms"), run);
            Assert.True(Value(report, run, "fanout_server_cpu_us_per_post") >= 0, run); // reported (at this size it may round to no tick)
            Assert.Equal(0, Value(report, run, "missing_friend_activity"));
            Assert.Equal(0, Value(report, run, "extra_friend_activity"));
            Assert.Equal(0, Value(report, run, "feed_wrong_pages"));
        }
    }

    [Fact]
    public async Task Leaderboard_updates_and_reads_rank_every_user_as_the_scores_set_on_each_index()
    {
        var report = await RunAsync("leaderboard");

        Assert.Equal(BenchSettings.QuickPreset().LeaderboardEntries, Value(report, "leaderboard", "entries"));
        var indexes = RedisServer.Available() ? new[] { "embedded", "redis" } : ["embedded"];
        foreach (var index in indexes)
        {
            Assert.Equal(0, Value(report, "leaderboard", $"{index}_wrong_answers"));
            foreach (var operation in new[] { "update", "around", "top10" })
            {
                Assert.True(Value(report, "leaderboard", $"{index}_{operation}_p99_ms") > 0);
                Assert.True(Value(report, "leaderboard", $"{index}_{operation}_p99_vs_baseline") > 0);
            }
            Assert.True(Value(report, "leaderboard", $"{index}_index_build_s") > 0);
            // The index step alone, from the server's histogram: one apply per update, and the rank reads of each.
            Assert.Equal(1, Value(report, "leaderboard", $"{index}_index_apply_per_update"), 0.2);
            Assert.InRange(Value(report, "leaderboard", $"{index}_index_rank_per_update"), 1, 3);
            Assert.True(Value(report, "leaderboard", $"{index}_index_apply_p99_le_ms") > 0);
            // Every measured update counted once, either as one that passed others or as one that did not.
            Assert.Equal(BenchSettings.QuickPreset().LeaderboardUpdates, Value(report, "leaderboard", $"{index}_updates_measured"));
            Assert.Equal(1, Value(report, "leaderboard", $"{index}_update_passing_share") + Value(report, "leaderboard", $"{index}_update_not_passing_share"), 0.02);
            Assert.True(Value(report, "leaderboard", $"{index}_update_server_cpu_us") > 0);
            Assert.True(Value(report, "leaderboard", $"{index}_update_allocated_kib") > 0); // read from the server's /metrics
        }
        if (RedisServer.Available())
        {
            Assert.True(Value(report, "leaderboard", "redis_redis_memory_per_entry_bytes") > 0);
        }
    }

    [Fact]
    public async Task Checkins_on_sqlite_postgres_and_a_variant_each_count_exactly_with_more_dashboards()
    {
        var report = await RunAsync("checkins", s =>
        {
            s.Dashboards = 3;
            s.Databases = ["sqlite", "postgres"];
            s.Variants = [("unqueued", new Dictionary<string, string> { ["Storage__SqliteQueueWriters"] = "false" })];
        });

        foreach (var run in new[] { "checkins", "checkins postgres", "checkins sqlite-unqueued" })
        {
            Assert.True(Value(report, run, "checkin_or_out_per_s") > 0, run);
            Assert.Equal(0, Value(report, run, "lost_stats_updates"));
            Assert.Equal(0, Value(report, run, "extra_stats_updates"));
            Assert.Equal(0, Value(report, run, "wrong_stats_fields"));
        }
    }

    [Fact]
    public async Task Auctions_hot_and_many_on_sqlite_and_two_nodes_keep_every_invariant()
    {
        var report = await RunAsync("auction", s =>
        {
            s.Auctions = 3;
            s.BiddersPerAuction = 2;
            s.Databases = ["sqlite", "two-nodes"];
        });

        foreach (var run in new[] { "auction", "auction two-nodes" })
        {
            Assert.True(Value(report, run, "bid_per_s") > 0, run);
            Assert.True(Value(report, run, "many_bid_per_s") > 0, run);
            Assert.Equal(3, Value(report, run, "many_auctions"));
            foreach (var prefix in new[] { "", "many_" })
            {
                Assert.Equal(0, Value(report, run, $"{prefix}lost_bid_placed"));
                Assert.Equal(0, Value(report, run, $"{prefix}extra_bid_placed"));
                Assert.Equal(0, Value(report, run, $"{prefix}invariant_violations"));
            }
        }
    }

    [Fact]
    public async Task Events_with_the_realistic_rule_set_over_many_users_deliver_one_xp_gained_each_on_sqlite_and_postgres()
    {
        var report = await RunAsync("events", s =>
        {
            s.RealisticRules = true;
            s.EventUsers = 300;
            s.Databases = ["sqlite", "postgres"];
        });

        foreach (var run in new[] { "events", "events postgres" })
        {
            Assert.True(Value(report, run, "event_per_s") > 0, run);
            Assert.Equal(300, Value(report, run, "event_users"));
            Assert.Equal(BenchSettings.MaxWatchedEventUsers, Value(report, run, "event_users_watched"));
            Assert.Equal(0, Value(report, run, "lost_xp_gained"));
            Assert.Equal(0, Value(report, run, "extra_xp_gained"));
            Assert.Equal(0, Value(report, run, "board_wrong_answers"));
            // Users pass each other on the boards: told live, and kept in an inbox only for a top place lost (a share of them).
            var (live, kept) = (Value(report, run, "overtaken_per_event"), Value(report, run, "overtaken_kept_per_event"));
            Assert.True(live > 0 && kept <= live, $"{run}: {live} overtaken told per event, {kept} kept");
        }
    }

    private async Task<BenchRunner.Report> RunAsync(string scenario, Action<BenchSettings>? adjust = null)
    {
        var settings = BenchSettings.QuickPreset();
        settings.Scenarios = [scenario];
        settings.Servers = [ServerKind.Hubbub];
        settings.OutputFolder = _folder;
        settings.MaxDuration = TimeSpan.FromMinutes(3);
        adjust?.Invoke(settings);
        var report = await BenchRunner.RunAsync(settings, SilentConsole(), CancellationToken.None);
        ReportAssert.NoFailures(report);
        return report;
    }

    private static double Value(BenchRunner.Report report, string scenario, string metric) =>
        report.Results.Summary(scenario, ServerKind.Hubbub, metric)?.Median
        ?? throw new Xunit.Sdk.XunitException($"{scenario} did not report {metric}");

    private static IAnsiConsole SilentConsole() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(TextWriter.Null),
    });
}
