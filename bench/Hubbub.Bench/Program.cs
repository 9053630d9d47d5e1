using Hubbub.Bench;
using Spectre.Console;

var settings = BenchSettings.Parse(args, out var error);
if (settings is null)
{
    AnsiConsole.MarkupLineInterpolated($"[red]{error}[/]");
    AnsiConsole.WriteLine(BenchSettings.Usage);
    return 2;
}
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var report = await BenchRunner.RunAsync(settings, AnsiConsole.Console, cancel.Token);
return report.Failures.Count == 0 ? 0 : 1;
