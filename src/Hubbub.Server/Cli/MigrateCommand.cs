using Hubbub.Storage;
using Hubbub.Server.Auth;
using Hubbub.Storage.Migrations;

namespace Hubbub.Server.Cli;

/// <summary>
/// <c>migrate</c>: applies pending schema migrations to the configured database and prints what it did, one line
/// per migration; exit code 0 when the schema is up to date, 1 when the database is unreachable or a migration failed.
/// For deployments that migrate as their own step (with <c>Storage:MigrateOnStart=false</c> on the servers).
/// </summary>
public static class MigrateCommand
{
    /// <summary>The verb's usage.</summary>
    public const string Usage =
        """
        usage: migrate
          Applies pending schema migrations to the configured database (ConnectionStrings:Postgres, else the SQLite
          file in the data directory), prints one line per migration, and exits: 0 when the schema is up to date.
          For deployments that migrate as their own step (Storage:MigrateOnStart=false on the servers).
        """;

    /// <summary>Runs the verb; returns the process exit code.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length > 0)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        var runner = services.GetRequiredService<MigrationRunner>();
        try
        {
            var report = await runner.ApplyAsync();
            await output.WriteLineAsync($"database: {report.Database}");
            foreach (var applied in report.Applied)
            {
                await output.WriteLineAsync($"applied {applied.Migration} ({applied.Duration.TotalMilliseconds:0} ms)");
            }
            await output.WriteLineAsync($"{report.Applied.Count} applied, {report.AlreadyApplied} already applied, {runner.Registered.Count} registered");
            return 0;
        }
        catch (StartupException ex)
        {
            await error.WriteLineAsync($"migrate failed: {ex.Message}");
            return 1;
        }
    }
}
