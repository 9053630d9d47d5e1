using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Hubbub.Features.Wallet;
using Hubbub.Storage;

namespace Hubbub.Server.Cli;

/// <summary>
/// <c>wallet-check [--json]</c>: recomputes every wallet account from the ledger and the holds (the wallet feature's
/// <see cref="WalletService.CheckAsync"/>, the same check as <c>GET /api/wallet/check</c>) and prints each account that
/// differs. Exit code 0 when every account agrees with its ledger, 1 when any differs, 2 when the check could not run
/// (bad arguments, an unreachable or unmigrated database). Reads only; safe beside running servers.
/// </summary>
public static class WalletCheckCommand
{
    /// <summary>How to call the verb.</summary>
    public const string Usage = "usage: wallet-check [--json]   (the database comes from ConnectionStrings:Postgres or ConnectionStrings:Sqlite)";

    /// <summary>Runs the verb; returns the process exit code.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error)
    {
        var json = args is ["--json"];
        if (args.Length > 0 && !json)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        WalletCheck check;
        try
        {
            check = await services.GetRequiredService<WalletService>().CheckAsync();
        }
        catch (Exception ex) when (ex is DbException or StartupException or InvalidOperationException)
        {
            await error.WriteLineAsync($"wallet-check failed: {ex.Message}");
            return 2;
        }
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(check, WalletJsonContext.Default.WalletCheck));
        }
        else
        {
            foreach (var d in check.Differences)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"differs: user={d.User} currency={d.Currency} balance={d.Balance} ledger_balance={d.LedgerBalance} last_balance_after={d.LastBalanceAfter?.ToString(CultureInfo.InvariantCulture) ?? "none"} held={d.Held} ledger_held={d.LedgerHeld} holds={d.Holds}"));
            }
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"wallet check: {check.Accounts} accounts, {check.LedgerEntries} ledger entries: {(check.Ok ? "ok" : $"{check.Differences.Count} differ from the ledger")}"));
        }
        return check.Ok ? 0 : 1;
    }
}
