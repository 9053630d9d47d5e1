using System.Diagnostics;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Results;
using Hubbub.Bench.Scenarios;
using Hubbub.Bench.Scenarios.Features;
using Spectre.Console;

namespace Hubbub.Bench;

/// <summary>
/// Runs the chosen scenarios: for each scenario, each round runs every server once, in an order rotated per round
/// (interleaved, so drift on the box spreads over all servers). A failed run is reported and the rest go on.
/// </summary>
public static class BenchRunner
{
    /// <summary>Every scenario by name.</summary>
    public static IReadOnlyList<IScenario> Scenarios { get; } =
        [new IdleScenario(), new FanoutScenario(), new EchoScenario(), new EchoScenario(publish: true), new RecoveryStormScenario(), new ChatScenario(), new ClusterScenario(),
         new OutboxScenario(), new GamificationEventsScenario(), new CheckinsScenario(), new AuctionScenario(), new FeedScenario(),
         new LeaderboardScenario(), new SoakScenario()];

    /// <summary>What a run produced.</summary>
    /// <param name="Results">Every figure.</param>
    /// <param name="Files">The files written.</param>
    /// <param name="Failures">Runs that failed, as "scenario server round: message".</param>
    public sealed record Report(ResultSet Results, ReportWriter.Files Files, IReadOnlyList<string> Failures);

    /// <summary>Runs <paramref name="settings"/>, showing progress on <paramref name="console"/>, and writes the results.</summary>
    public static async Task<Report> RunAsync(BenchSettings settings, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(settings.MaxDuration);
        NativeMethods.RaiseOpenFileLimit(65_536);
        // Many receive loops complete at once; start with enough pool threads that the load generator is not
        // the one waiting for thread injection.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));

        var results = new ResultSet();
        var failures = new List<string>();
        var plan = new List<(IScenario Scenario, int Round, ServerKind Kind)>();
        foreach (var scenario in Scenarios.Where(s => settings.Scenarios.Contains(s.Name)))
        {
            if (scenario.PendingReason() is { } reason)
            {
                results.Note(scenario.Name, reason);
                continue;
            }
            var kinds = settings.Servers.Where(scenario.Supports).ToList();
            if (kinds.Count == 0)
            {
                results.Note(scenario.Name, "not applicable to the chosen servers");
                continue;
            }
            if (!kinds.Contains(ServerKind.Hubbub) || kinds.Count < settings.Servers.Count)
            {
                results.Note(scenario.Name, $"measured on {string.Join(", ", kinds.Select(k => k.Title()))} only: the others have no counterpart");
            }
            for (var round = 1; round <= scenario.RoundsFor(settings); round++)
            {
                for (var k = 0; k < kinds.Count; k++)
                {
                    plan.Add((scenario, round, kinds[(k + round - 1) % kinds.Count]));
                }
            }
        }

        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var overall = progress.AddTask("[bold]bench[/]", maxValue: Math.Max(plan.Count, 1));
                foreach (var (scenario, round, kind) in plan)
                {
                    if (bound.IsCancellationRequested)
                    {
                        failures.Add($"{scenario.Name} {kind.Key()} round {round}: not run, the run's {settings.MaxDuration.TotalMinutes} min bound was reached");
                        continue;
                    }
                    var context = new ScenarioContext(settings, results, text => overall.Description = Markup.Escape(text));
                    overall.Description = Markup.Escape($"{scenario.Name} {kind.Title()} round {round}");
                    try
                    {
                        await scenario.RunAsync(context, kind, round, bound.Token);
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        var message = $"{scenario.Name} {kind.Key()} round {round}: {ex.GetType().Name}: {ex.Message}";
                        failures.Add(message);
                        console.MarkupLineInterpolated($"[red]failed[/] {message}");
                    }
                    overall.Increment(1);
                }
                overall.Description = "[bold]bench done[/]";
            });

        if (failures.Count > 0)
        {
            results.Note("failures", string.Join("; ", failures));
        }
        var files = ReportWriter.Write(results, settings, startedAt, clock.Elapsed);
        ConsoleTables.Show(console, results, settings);
        console.MarkupLineInterpolated($"results: [link]{files.Markdown}[/], {files.Csv}, {files.StepsCsv}");
        return new Report(results, files, failures);
    }
}
