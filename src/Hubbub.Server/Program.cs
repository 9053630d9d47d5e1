using Hubbub.Core;
using Hubbub.Storage;
using Hubbub.Server.Cli;
using Hubbub.Server.Hosting;

// First, before the host starts its threads: a node churning connections keeps its native memory level (MallocArenas).
MallocArenas.Limit();

// `Hubbub.Server` serves; `Hubbub.Server VERB ...` (e.g. `token --user 42`) runs a verb against the same configuration
// as the server, then exits. Help needs no configuration, so it is answered before anything is built.
var verb = args.Length > 0 && (!args[0].StartsWith('-') || Verbs.IsHelp(args[0])) ? args[0] : null;
if (verb is not null && Verbs.IsHelp(verb))
{
    var about = args.Length > 1 ? Verbs.UsageOf(args[1]) : null;
    Console.Out.WriteLine(about ?? Verbs.GeneralHelp(HubbubVersion.Current));
    return 0;
}
if (verb is not null && Verbs.UsageOf(verb) is null)
{
    await Console.Error.WriteLineAsync($"unknown command '{verb}'. Commands: {Verbs.Names} (Hubbub.Server --help lists them)");
    return 2;
}
if (verb is not null && args.Skip(1).Any(Verbs.IsHelp))
{
    Console.Out.WriteLine(Verbs.UsageOf(verb));
    return 0;
}
if (verb is "genconfig")
{
    return GenConfigCommand.Run(args[1..], Console.Out, Console.Error);
}

var serverArgs = verb is null ? args : args[1..];
var builder = WebApplication.CreateBuilder(HostLocation.Options(serverArgs, Directory.GetCurrentDirectory(), AppContext.BaseDirectory));
HostLocation.ServeBuildOutputAssets(builder, AppContext.BaseDirectory);
builder.AddHubbubServer();
ServeCommand.QuietStartupFailures(builder);

try
{
    var app = builder.Build();
    return verb switch
    {
        null => await ServeCommand.RunAsync(app, Console.Error),
        "token" => TokenCommand.Run(app.Services, args[1..], Console.Out, Console.Error),
        "wallet-check" => await WalletCheckCommand.RunAsync(app.Services, args[1..], Console.Out, Console.Error),
        _ => await MigrateCommand.RunAsync(app.Services, args[1..], Console.Out, Console.Error),
    };
}
catch (StartupException ex)
{
    await Console.Error.WriteLineAsync($"Hubbub cannot start: {ex.Message}");
    return 1;
}
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync($"Hubbub cannot start: {string.Join(" ", ex.Failures)}");
    return 1;
}
catch (Exception ex) when (SettingFailures.Describe(ex) is { } why)
{
    await Console.Error.WriteLineAsync($"Hubbub cannot start: {why}");
    return 1;
}

/// <summary>The entry point, visible to integration tests.</summary>
public partial class Program;
