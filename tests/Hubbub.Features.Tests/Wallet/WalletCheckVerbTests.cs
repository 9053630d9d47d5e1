using System.Net;
using Hubbub.Features.Tests.Infrastructure;
using Hubbub.Storage;
using Hubbub.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests.Wallet;

/// <summary>
/// <c>Hubbub.Server.dll wallet-check</c> run as a real process against a real SQLite file and PostgreSQL database:
/// exit 0 while every balance agrees with its ledger, and 1 with the account named once a balance row is corrupted.
/// </summary>
public sealed class WalletCheckVerbTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_verb_reports_a_corrupted_balance_and_exits_1(string engine)
    {
        await using var database = await ChatDatabase.CreateAsync(engine);
        var folder = Directory.CreateTempSubdirectory("hubbub-wallet-check-").FullName;
        var data = Path.Combine(folder, "data");
        var environment = database.Settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        try
        {
            using (var server = new TestServer(new Dictionary<string, string?>(database.Settings) { ["Hubbub:DataDirectory"] = data }))
            {
                using var api = new ServerApi(server.BaseAddress, TestServer.ApiKey);
                foreach (var (user, amount) in new[] { (ada, 40), (bob, 25) })
                {
                    Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/wallet/grants", new { user, currency = "coins", amount, id = "g-" + user })).Status);
                }
                await using var clean = await ServerProcess.RunAsync(folder, environment, ["wallet-check"]);
                Assert.True(clean.ExitCode == 0, $"exit {clean.ExitCode}: {clean.Output} {clean.Error}");
                Assert.Contains("wallet check: 2 accounts, 2 ledger entries: ok", clean.Output, StringComparison.Ordinal);

                // A balance changed behind the wallet's back (the ledger itself refuses changes).
                var db = server.Services.GetRequiredService<IDatabase>();
                await db.InTransactionAsync(tx => tx.ExecuteAsync("UPDATE wallet_accounts SET balance = 45 WHERE user_id = @ada", new { ada }));
            }

            await using var dirty = await ServerProcess.RunAsync(folder, environment, ["wallet-check"]);
            Assert.True(dirty.ExitCode == 1, $"exit {dirty.ExitCode}: {dirty.Output} {dirty.Error}");
            Assert.Contains($"differs: user={ada} currency=coins balance=45 ledger_balance=40", dirty.Output, StringComparison.Ordinal);
            Assert.DoesNotContain($"user={bob}", dirty.Output, StringComparison.Ordinal);
            Assert.Contains("1 differ from the ledger", dirty.Output, StringComparison.Ordinal);

            await using var json = await ServerProcess.RunAsync(folder, environment, ["wallet-check", "--json"]);
            Assert.Equal(1, json.ExitCode);
            var report = System.Text.Json.JsonDocument.Parse(json.Output).RootElement;
            Assert.False(report.GetProperty("ok").GetBoolean());
            Assert.Equal(ada, Assert.Single(report.GetProperty("differences").EnumerateArray()).GetProperty("user").GetString());

            await using var bad = await ServerProcess.RunAsync(folder, environment, ["wallet-check", "--fix"]);
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("usage: wallet-check", bad.Error, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by the stopped server; the OS cleans temp folders.
            }
        }
    }
}
