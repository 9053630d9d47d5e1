using Hubbub.Bench;
using Hubbub.Bench.Chaos;
using Spectre.Console;

if (args.Length > 0 && args[0] == "chaos")
{
    var chaos = ChaosSettings.Parse(args[1..], out var chaosError);
    if (chaos is null)
    {
        AnsiConsole.MarkupLineInterpolated($"[red]{chaosError ?? "bad options"}[/]");
        AnsiConsole.WriteLine(ChaosSettings.Usage);
        return 2;
    }
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    var chaosReport = await ChaosRunner.RunAsync(chaos, AnsiConsole.Console, stop.Token);
    return chaosReport.Clean ? 0 : 1;
}

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
