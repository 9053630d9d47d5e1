using Hubbub.Bench.Infra;
using Spectre.Console;

namespace Hubbub.Bench.Results;

/// <summary>The run's summary as Spectre tables: one per scenario, then the targets.</summary>
public static class ConsoleTables
{
    /// <summary>Prints the tables.</summary>
    public static void Show(IAnsiConsole console, ResultSet results, BenchSettings settings)
    {
        foreach (var scenario in results.Scenarios)
        {
            var metrics = results.MetricsOf(scenario);
            var table = new Table().Title($"[bold]{Markup.Escape(scenario)}[/]").Border(TableBorder.Rounded);
            table.AddColumn("metric");
            var shown = settings.Servers.Where(s => metrics.Any(m => results.Summary(scenario, s, m.Metric) is not null)).ToList();
            foreach (var s in shown)
            {
                table.AddColumn(new TableColumn(Markup.Escape(s.Title())).RightAligned());
            }
            var baselines = shown.Contains(ServerKind.Hubbub) ? shown.Where(s => s != ServerKind.Hubbub).ToList() : [];
            foreach (var b in baselines)
            {
                table.AddColumn(new TableColumn(Markup.Escape($"÷ {b.Title()}")).RightAligned());
            }
            foreach (var (metric, unit, _) in metrics)
            {
                var row = new List<string> { Markup.Escape($"{metric} ({unit})") };
                row.AddRange(shown.Select(s => Markup.Escape(ReportWriter.Cell(results.Summary(scenario, s, metric)))));
                var h = results.Summary(scenario, ServerKind.Hubbub, metric);
                row.AddRange(baselines.Select(b => ReportWriter.Ratio(h, results.Summary(scenario, b, metric))));
                table.AddRow(row.ToArray());
            }
            if (results.Notes.TryGetValue(scenario, out var note))
            {
                table.Caption(Markup.Escape(note));
            }
            console.Write(table);
        }

        var targets = new Table().Title("[bold]targets[/]").Border(TableBorder.Rounded);
        targets.AddColumn("target");
        targets.AddColumn("this run");
        targets.AddColumn("status");
        foreach (var c in TargetCheck.Evaluate(results))
        {
            var color = c.Status switch { "met" => "green", "not met" => "red", _ => "grey" };
            targets.AddRow(Markup.Escape(c.Target), Markup.Escape(c.Measured), $"[{color}]{c.Status}[/]");
        }
        console.Write(targets);
    }
}
