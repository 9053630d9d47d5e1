using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Spectre.Console;

namespace Hubbub.Bench.Tests;

/// <summary>
/// The soak's quick mode and the idle scenario's hold and close against the real Hubbub server: counts (every
/// message back once, no failed cycle, no dropped connection, every close graceful, handles back where they were)
/// and the files written, never timings.
/// </summary>
public sealed class SoakAndIdleTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hubbub-bench-soak").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Soak_churns_connections_gets_every_message_back_and_draws_the_graph()
    {
        var settings = Settings("soak");

        var report = await BenchRunner.RunAsync(settings, SilentConsole(), CancellationToken.None);

        ReportAssert.NoFailures(report);
        double Value(string metric) => report.Results.Summary("soak", ServerKind.Hubbub, metric)!.Value.Median;
        Assert.True(Value("cycles") >= settings.SoakClients, "every client connected at least once");
        Assert.Equal(Value("cycles") * Scenarios.SoakScenario.MessagesPerCycle, Value("published"));
        Assert.Equal(0, Value("own_missing"));
        Assert.Equal(0, Value("own_duplicates"));
        Assert.Equal(0, Value("error_frames"));
        Assert.Equal(0, Value("failed_cycles"));
        // Every connection ended (half of them dropped without a close handshake): the server holds no socket more. Within
        // the soak's own tolerance, as the server may open a file of its own meanwhile (a database journal, a thread's
        // event handle); every client connects at least once (asserted above), so a leak of sockets would pass it several times over.
        Assert.InRange(Value("open_files_after"), Value("open_files_before") - Scenarios.SoakScenario.FlatOpenFilesTolerance,
            Value("open_files_before") + Scenarios.SoakScenario.FlatOpenFilesTolerance);
        Assert.Null(report.Results.Summary("soak", ServerKind.Kestrel, "cycles"));
        var svg = Assert.Single(Directory.GetFiles(_folder, "soak-*.svg"));
        var text = await File.ReadAllTextAsync(svg);
        Assert.StartsWith("<svg", text, StringComparison.Ordinal);
        Assert.Equal(4, text.Split("<polyline", StringSplitOptions.None).Length - 1);
        Assert.Contains("server RSS (MiB)", text, StringComparison.Ordinal);
        var samples = await File.ReadAllLinesAsync(Assert.Single(Directory.GetFiles(_folder, "soak-*.csv")));
        Assert.Equal("minute,rss_mib,open_files,threads,bench_open,cycles,server_cpu_pct", samples[0]);
        Assert.True(samples.Length >= 4, "sampled through the churn");
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("ws")]
    public async Task Idle_holds_with_heartbeats_drops_nothing_and_closes_every_connection_gracefully(string client)
    {
        var settings = Settings("idle");
        settings.IdleClient = client;
        settings.IdleLevels = [50];
        settings.IdleHold = TimeSpan.FromSeconds(1);
        settings.Servers = [ServerKind.Hubbub, ServerKind.Kestrel];

        var report = await BenchRunner.RunAsync(settings, SilentConsole(), CancellationToken.None);

        ReportAssert.NoFailures(report);
        foreach (var kind in settings.Servers)
        {
            double Value(string metric) => report.Results.Summary("idle", kind, metric)!.Value.Median;
            Assert.Equal(0, Value("dropped_50"));
            Assert.Equal(0, Value("close_not_graceful_50"));
            Assert.True(Value("close_all_s_50") > 0);
            Assert.True(Value("hold_rss_mib_50") > 1);
            Assert.Equal(1, Value("source_addresses"));
            Assert.Equal(client == "raw" ? 1 : 0, Value("raw_idle_client"));
        }
    }

    [Fact]
    public void Source_addresses_cover_the_connections_and_are_off_again_after_the_scope()
    {
        var perAddress = SourceAddressSpread.PortsPerAddress() * 3 / 4;
        using (SourceAddressSpread.Use(100_000, out var count))
        {
            Assert.True(SourceAddressSpread.Active);
            Assert.True(count * perAddress >= 100_000);
            Assert.True((count - 1) * perAddress < 100_000);
        }
        Assert.False(SourceAddressSpread.Active);
        using (SourceAddressSpread.Use(10, out var one))
        {
            Assert.Equal(1, one);
        }
    }

    [Fact]
    public void Soak_is_run_only_when_named_and_its_minutes_extend_the_bound()
    {
        var soak = BenchSettings.Parse(["soak", "--soak-minutes", "2", "--soak-clients", "30", "--max-minutes", "5"], out var error);
        Assert.Null(error);
        Assert.Equal(TimeSpan.FromMinutes(2), soak!.SoakDuration);
        Assert.Equal(30, soak.SoakClients);
        Assert.Equal(TimeSpan.FromMinutes(7), soak.MaxDuration);
        Assert.DoesNotContain("soak", BenchSettings.Parse(["all"], out _)!.Scenarios);
        Assert.Equal(TimeSpan.FromSeconds(90), BenchSettings.Parse(["idle", "--idle-hold-seconds", "90"], out _)!.IdleHold);
    }

    private BenchSettings Settings(string scenario)
    {
        var settings = BenchSettings.QuickPreset();
        settings.Scenarios = [scenario];
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
