namespace Hubbub.Server.Cli;

/// <summary>
/// The command line: <c>Hubbub.Server [options]</c> serves; <c>Hubbub.Server VERB [options]</c> runs a verb and exits.
/// Help goes to standard output with exit code 0; a usage error to standard error with exit code 2.
/// </summary>
public static class Verbs
{
    /// <summary>Every verb with its one-line summary, in the order help lists them.</summary>
    public static IReadOnlyList<(string Name, string Summary, string Usage)> All { get; } =
    [
        ("token", "print a signed token for a user, to try the server with any WebSocket client", TokenCommand.Usage),
        ("migrate", "apply pending database migrations and exit", MigrateCommand.Usage),
        ("wallet-check", "recompute every wallet balance from the ledger and report any difference (exit 1)", WalletCheckCommand.Usage),
        ("genconfig", "write a commented appsettings.json with a fresh signing key and API key", GenConfigCommand.Usage),
        ("help", "show this help, or a verb's (help VERB, or VERB --help)", "usage: help [VERB]"),
    ];

    /// <summary>Whether <paramref name="arg"/> asks for help.</summary>
    public static bool IsHelp(string arg) => arg is "--help" or "-h" or "-?" or "/?" or "help";

    /// <summary>The names of the verbs, comma-separated.</summary>
    public static string Names => string.Join(", ", All.Select(v => v.Name));

    /// <summary>The general help: how to serve, every verb, where the settings are documented.</summary>
    public static string GeneralHelp(string version) =>
        $"""
        Hubbub {version}: a self-hosted real-time server.

        usage: Hubbub.Server [--urls http://127.0.0.1:5080] [--Section:Setting value ...]   serve until stopped
               Hubbub.Server VERB [options]                                                run a verb and exit

        verbs:
        {string.Join(Environment.NewLine, All.Select(v => $"  {v.Name,-10} {v.Summary}"))}

        Settings come from appsettings.json, appsettings.{"{Environment}"}.json, environment variables (Auth__SigningKey)
        and the command line (--Auth:SigningKey=...); every setting is in docs/configuration.md.
        Outside Development the server needs Auth:SigningKey (genconfig makes one).
        """;

    /// <summary>The usage of <paramref name="verb"/>, or null when there is no such verb.</summary>
    public static string? UsageOf(string verb) => All.FirstOrDefault(v => v.Name == verb).Usage;
}
