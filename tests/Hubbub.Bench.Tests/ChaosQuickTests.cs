using Hubbub.Bench.Chaos;
using Spectre.Console;

namespace Hubbub.Bench.Tests;

/// <summary>
/// The chaos command's quick mode against real processes (three Hubbub nodes, Redis, PostgreSQL on loopback): every
/// fault (SIGKILL and restart of a node, Redis restarted empty, PostgreSQL immediate stop and restart, SIGSTOP of a
/// node) is survived, and the table it prints shows nothing lost. Counts only, no timing thresholds.
/// </summary>
public sealed class ChaosQuickTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hubbub-chaos-test").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Every_fault_under_load_is_survived_and_the_table_shows_nothing_lost()
    {
        Assert.True(ChaosPostgres.Available(), "PostgreSQL's server binaries are needed (test.sh installs them)");
        var settings = ChaosSettings.QuickPreset();
        settings.OutputFolder = _folder;
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 400;

        var report = await ChaosRunner.RunAsync(settings, console, CancellationToken.None);

        var text = output.ToString();
        Assert.True(report.Failure is null, report.Failure + "\n" + text);
        // The baseline and four faults, each checked: nothing lost, duplicated or left wrong, every node ready.
        Assert.Equal(5, report.Results.Count);
        foreach (var row in report.Results)
        {
            Assert.True(row.Clean, $"{row.Fault}: {string.Join("; ", row.Notes)}\n{text}");
        }
        var last = report.Results[^1];
        Assert.True(last.MessagesAcked > 0 && last.BidsAcked > 0 && last.CheckInsAndOuts > 0, text); // the load really ran
        Assert.Equal(5, text.Split("survived, nothing lost").Length - 1);
        Assert.DoesNotContain("LOSS", text, StringComparison.Ordinal);
        Assert.Contains("every fault survived, nothing lost", await File.ReadAllTextAsync(report.Markdown), StringComparison.Ordinal);
    }
}
