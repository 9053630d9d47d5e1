using Hubbub.Bench;
using Hubbub.Bench.Infra;
using Spectre.Console;

namespace Hubbub.Bench.Tests;

/// <summary>
/// Runs the bench's quick mode against the real servers (each its own process on loopback) and checks that the
/// figures are sane and the files are written. No timing thresholds: only counts that must hold on any machine.
/// </summary>
public sealed class QuickRunTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hubbub-bench-test").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Fanout_and_echo_on_every_server_lose_nothing_at_a_low_rate_and_write_the_files()
    {
        var settings = Quick("fanout", "echo");
        settings.Rates = [10];
        settings.Subscribers = 20;

        var report = await BenchRunner.RunAsync(settings, SilentConsole(), CancellationToken.None);

        ReportAssert.NoFailures(report);
        foreach (var kind in settings.Servers)
        {
            var step = Assert.Single(report.Results.Steps, s => s.Server == kind.Key());
            Assert.Equal(10, step.Sent);
            Assert.Equal(step.Sent * 20, step.Expected);
            Assert.Equal(step.Expected, step.Delivered);
            Assert.Equal(0, step.Duplicates);
            Assert.Equal(0, step.Disconnected);
            Assert.True(step.P50Ms > 0);
            Assert.True(report.Results.Summary("echo", kind, "p50_us")!.Value.Median > 0);
            Assert.True(report.Results.Summary("echo", kind, "p99_us")!.Value.Median >= report.Results.Summary("echo", kind, "p50_us")!.Value.Median);
        }
        var markdown = await File.ReadAllTextAsync(report.Files.Markdown);
        Assert.Contains("## fanout", markdown, StringComparison.Ordinal);
        Assert.Contains("## echo", markdown, StringComparison.Ordinal);
        Assert.Contains("| Hubbub ÷ Kestrel broadcast |", markdown, StringComparison.Ordinal);
        var csv = await File.ReadAllLinesAsync(report.Files.Csv);
        Assert.Equal("scenario,server,round,metric,value,unit", csv[0]);
        Assert.Contains(csv, l => l.StartsWith("echo,hubbub,1,p50_us,", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(_folder, "latest-quick.md")));
        Assert.Equal(1 + 3, (await File.ReadAllLinesAsync(report.Files.StepsCsv)).Length); // header, then one step per server
    }

    [Fact]
    public async Task Publish_round_trips_get_their_reply_first_then_their_own_publication_beside_the_kestrel_echo()
    {
        var settings = Quick("publish");
        settings.EchoRoundTrips = 200;

        var report = await BenchRunner.RunAsync(settings, SilentConsole(), CancellationToken.None);

        ReportAssert.NoFailures(report);
        double Value(ServerKind kind, string metric) => report.Results.Summary("publish", kind, metric)!.Value.Median;
        Assert.Equal(200, Value(ServerKind.Hubbub, "round_trips"));
        Assert.Equal(200, Value(ServerKind.Kestrel, "round_trips"));
        // Warm-up and measured round trips alike: one reply and one own publication each, the reply first.
        var replies = Value(ServerKind.Hubbub, "replies");
        Assert.True(replies >= 200, $"replies {replies}");
        Assert.Equal(replies, Value(ServerKind.Hubbub, "publications"));
        Assert.Equal(0, Value(ServerKind.Hubbub, "reply_after_publication"));
        Assert.True(Value(ServerKind.Hubbub, "server_cpu_us_per_rt") > 0);
        Assert.Null(report.Results.Summary("publish", ServerKind.SignalR, "p50_us"));
        var markdown = await File.ReadAllTextAsync(report.Files.Markdown);
        Assert.Contains("## publish", markdown, StringComparison.Ordinal);
        Assert.Contains("Per round, p50 Hubbub / Kestrel µs (ratio): ", markdown, StringComparison.Ordinal);
        Assert.Contains("| publish round trip p50 within 1.2× the Kestrel echo |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recovery_storm_delivers_every_missed_publication_once_with_no_gap()
    {
        var settings = Quick("recovery-storm");
        settings.StormClients = 30;
        settings.StormMissed = 10;

        var report = await BenchRunner.RunAsync(settings, SilentConsole(), CancellationToken.None);

        ReportAssert.NoFailures(report);
        double Value(string metric) => report.Results.Summary("recovery-storm", ServerKind.Hubbub, metric)!.Value.Median;
        Assert.Equal(30 * 10, Value("missed_delivered"));
        Assert.Equal(0, Value("gaps"));
        Assert.Equal(0, Value("duplicates"));
        Assert.Equal(0, Value("recovered_false"));
        Assert.True(Value("all_recovered_ms") > 0);
        Assert.Null(report.Results.Summary("recovery-storm", ServerKind.Kestrel, "gaps"));
    }

    [Fact]
    public async Task Idle_reads_the_servers_memory_and_connect_rate()
    {
        var settings = Quick("idle");
        settings.IdleLevels = [50];
        settings.Servers = [ServerKind.Hubbub, ServerKind.Kestrel];

        var report = await BenchRunner.RunAsync(settings, SilentConsole(), CancellationToken.None);

        ReportAssert.NoFailures(report);
        foreach (var kind in settings.Servers)
        {
            Assert.True(report.Results.Summary("idle", kind, "rss_mib_50")!.Value.Median > 1);
            Assert.True(report.Results.Summary("idle", kind, "connects_per_s_50")!.Value.Median > 0);
        }
    }

    [Fact]
    public async Task Chat_on_SQLite_and_PostgreSQL_stores_and_delivers_every_message_to_every_participant()
    {
        // One run measures both databases: SQLite always, PostgreSQL from HUBBUB_TEST_POSTGRES, which test.sh
        // starts and exports.
        Assert.NotNull(Scenarios.ChatScenario.Postgres());
        var settings = Quick("chat");
        var report = await BenchRunner.RunAsync(settings, SilentConsole(), CancellationToken.None);

        ReportAssert.NoFailures(report);
        double Value(string metric) => report.Results.Summary("chat", ServerKind.Hubbub, metric)!.Value.Median;
        foreach (var database in new[] { "sqlite", "postgres" })
        {
            Assert.True(Value($"{database}_persisted_per_s") > 0, database);
            Assert.Equal(0, Value($"{database}_lost_deliveries"));
            Assert.True(Value($"{database}_delivery_p99_ms") > 0, database);
        }
        Assert.Null(report.Results.Summary("chat", ServerKind.Kestrel, "sqlite_persisted_per_s"));
    }

    [Fact]
    public async Task Cluster_of_two_nodes_on_Redis_delivers_every_publication_across_the_nodes_once()
    {
        var settings = Quick("cluster");
        settings.Rates = [10];
        settings.Subscribers = 20;

        var report = await BenchRunner.RunAsync(settings, SilentConsole(), CancellationToken.None);

        ReportAssert.NoFailures(report);
        var step = Assert.Single(report.Results.Steps, s => s.Scenario == "cluster");
        Assert.Equal(10, step.Sent);
        Assert.Equal(step.Sent * 20, step.Expected);
        Assert.Equal(step.Expected, step.Delivered);
        Assert.Equal(0, step.Duplicates);
        Assert.Equal(0, step.Disconnected);
        Assert.True(report.Results.Summary("cluster", ServerKind.Hubbub, "highest_step_passed") is not null);
    }

    private BenchSettings Quick(params string[] scenarios)
    {
        var settings = BenchSettings.QuickPreset();
        settings.Scenarios = scenarios;
        settings.OutputFolder = _folder;
        settings.MaxDuration = TimeSpan.FromMinutes(4);
        return settings;
    }

    private static IAnsiConsole SilentConsole() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(TextWriter.Null),
    });
}
