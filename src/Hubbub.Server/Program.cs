using Hubbub.Storage;
using Hubbub.Server.Auth;
using Hubbub.Server.Cli;
using Hubbub.Server.Hosting;

// Verbs (e.g. `token --user 42`) run against the same configuration as the server, then exit.
var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : null;
var builder = WebApplication.CreateBuilder(verb is null ? args : args[1..]);
builder.AddHubbubServer();

try
{
    var app = builder.Build();
    switch (verb)
    {
        case null:
            _ = app.Services.GetRequiredService<SigningKeyProvider>(); // fail fast on a missing key, with its message
            app.MapHubbubServer();
            await app.RunAsync();
            return 0;
        case "token":
            return TokenCommand.Run(app.Services, args[1..], Console.Out, Console.Error);
        case "migrate":
            return await MigrateCommand.RunAsync(app.Services, args[1..], Console.Out, Console.Error);
        case "wallet-check": return await WalletCheckCommand.RunAsync(app.Services, args[1..], Console.Out, Console.Error);
        default:
            await Console.Error.WriteLineAsync($"unknown command '{verb}'. Commands: token, migrate");
            return 2;
    }
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

/// <summary>The entry point, visible to integration tests.</summary>
public partial class Program;
