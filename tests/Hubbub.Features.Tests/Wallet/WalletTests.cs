using System.Net;
using Hubbub.Features.Tests.Auctions;

namespace Hubbub.Features.Tests.Wallet;

public sealed class WalletSqliteTests(SqliteAuctionHouse house) : WalletTests(house), IClassFixture<SqliteAuctionHouse>;

public sealed class WalletPostgresTests(PostgresAuctionHouse house) : WalletTests(house), IClassFixture<PostgresAuctionHouse>;

/// <summary>
/// The wallet on a real server: grants once per id, transfers once per id and never below zero, the append-only ledger
/// paged newest first, <c>wallet_updated</c> live, the consistency check, and who may call what.
/// </summary>
public abstract class WalletTests(AuctionHouse house)
{
    [Fact]
    public async Task A_grant_repeated_with_its_id_grants_once_and_answers_alike()
    {
        var ada = Users.New("ada");
        await using var ws = await house.ConnectAsync(ada);
        await ws.SubscribeAsync($"user:{ada}");
        var first = await house.GrantAsync(ada, 250, id: "welcome-" + ada);
        var again = await house.GrantAsync(ada, 999, id: "welcome-" + ada); // same id, other amount: still the first grant
        Assert.False(first.GetProperty("duplicate").GetBoolean());
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.Equal(250, again.GetProperty("amount").GetInt64());
        Assert.Equal(first.GetProperty("entry").GetString(), again.GetProperty("entry").GetString());
        Assert.Equal((250L, 0L), await house.WalletAsync(ada));
        var updated = await ws.NextAsync(f => f.Type() == "wallet_updated");
        Assert.Equal(250, updated.GetProperty("data").GetProperty("balances").GetProperty("coins").GetInt64());
        Assert.Equal(0, updated.GetProperty("data").GetProperty("held").GetProperty("coins").GetInt64());
        Assert.Empty(await ws.PendingAfterSyncAsync(f => f.Type() == "wallet_updated")); // the repeat changed nothing

        // An admin token may grant too; a user's may not (nor read the check).
        using var admin = house.Admin();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/wallet/grants", new { user = ada, currency = "gems", amount = 3, id = "g-" + ada })).Status);
        using var self = house.Api(ada);
        var refused = await self.PostAsync("/api/wallet/grants", new { user = ada, currency = "coins", amount = 1000, id = "self-" + ada });
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("forbidden", refused.Code);
        Assert.Equal(HttpStatusCode.Forbidden, (await self.GetAsync("/api/wallet/check")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await house.Server(key: null).PostAsync("/api/wallet/grants",
            new { user = ada, currency = "coins", amount = 1, id = "x" })).Status);
        var mine = await self.GetAsync("/api/wallet");
        Assert.Equal(250, mine.Body.GetProperty("balances").GetProperty("coins").GetInt64());
        Assert.Equal(3, mine.Body.GetProperty("balances").GetProperty("gems").GetInt64());
        Assert.Equal(250, mine.Body.GetProperty("available").GetProperty("coins").GetInt64());
    }

    [Fact]
    public async Task Transfers_move_coins_once_per_id_and_never_below_what_is_available()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await house.GrantAsync(ada, 100);
        using var api = house.Api(ada);
        var sent = await api.PostAsync("/api/wallet/transfers", new { to = bob, currency = "coins", amount = 60, id = "t1" });
        Assert.True(sent.Status == HttpStatusCode.Created, sent.ToString());
        Assert.Equal(40, sent.Body.GetProperty("balance").GetInt64());
        var again = await api.PostAsync("/api/wallet/transfers", new { to = bob, currency = "coins", amount = 60, id = "t1" });
        Assert.True(again.Body.GetProperty("duplicate").GetBoolean());
        var tooMuch = await api.PostAsync("/api/wallet/transfers", new { to = bob, currency = "coins", amount = 41, id = "t2" });
        Assert.Equal(HttpStatusCode.Conflict, tooMuch.Status);
        Assert.Equal("insufficient_funds", tooMuch.Body.GetProperty("reason").GetString());
        Assert.Equal((40L, 0L), await house.WalletAsync(ada));
        Assert.Equal((60L, 0L), await house.WalletAsync(bob));

        // Held coins are not available: a bid's hold blocks a transfer of them.
        var auction = await house.CreateAsync(Users.New("seller"));
        Assert.Equal(HttpStatusCode.Created, (await house.BidAsync(ada, auction, 30)).Status);
        Assert.Equal("insufficient_funds",
            (await api.PostAsync("/api/wallet/transfers", new { to = bob, currency = "coins", amount = 11, id = "t3" })).Body.GetProperty("reason").GetString());

        // The same over the WebSocket command; a server names the sender.
        await using var ws = await house.ConnectAsync(bob);
        var viaWs = await ws.OkAsync("wallet.transfer", new { to = ada, currency = "coins", amount = 10, id = "w1" });
        Assert.Equal(50, viaWs.GetProperty("balance").GetInt64());
        Assert.Equal("insufficient_funds", (await ws.RequestAsync("wallet.transfer", new { to = ada, currency = "coins", amount = 51, id = "w2" }))
            .GetProperty("data").GetProperty("reason").GetString());
        using var server = house.Server();
        Assert.Equal(HttpStatusCode.Created, (await server.PostAsync("/api/wallet/transfers", new { user = bob, to = ada, currency = "coins", amount = 5, id = "s1" })).Status);
        Assert.Equal((45L, 0L), await house.WalletAsync(bob));
        await house.AssertConsistentAsync();
    }

    [Fact]
    public async Task The_ledger_pages_newest_first_and_sums_to_the_balance()
    {
        var ada = Users.New("ada");
        for (var i = 1; i <= 7; i++)
        {
            await house.GrantAsync(ada, i);
        }
        using var api = house.Api(ada);
        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await api.GetAsync("/api/wallet/ledger?limit=3" + (cursor is null ? "" : "&before=" + cursor));
            Assert.Equal(HttpStatusCode.OK, page.Status);
            seen.AddRange(page.Body.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("amount").GetInt64()));
            cursor = page.Body.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal([7L, 6, 5, 4, 3, 2, 1], seen);
        Assert.Equal((28L, 0L), await house.WalletAsync(ada));
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/wallet/ledger?limit=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/wallet/ledger?before=abc")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/wallet/ledger?limit=100000")).Status);
    }

    [Fact]
    public async Task The_contracts_empty_before_reads_the_first_page_of_the_ledger()
    {
        // FEATURES.md writes it GET /api/wallet/ledger?before=&limit=: an empty before (or currency) is none, not a 400.
        var ada = Users.New("ada");
        await house.GrantAsync(ada, 5);
        await house.GrantAsync(ada, 6);
        using var api = house.Api(ada);
        var page = await api.GetAsync("/api/wallet/ledger?before=&limit=1&currency=");
        Assert.True(page.Status == HttpStatusCode.OK, page.ToString());
        Assert.Equal(6, Assert.Single(page.Body.GetProperty("entries").EnumerateArray()).GetProperty("amount").GetInt64());
        Assert.NotNull(page.Body.GetProperty("next_cursor").GetString());
    }

    [Fact]
    public async Task The_check_finds_an_account_that_disagrees_with_its_ledger()
    {
        var ada = Users.New("ada");
        await house.GrantAsync(ada, 10);
        await house.AssertConsistentAsync();
        var database = house.Chat.Server.Services.GetService(typeof(Hubbub.Storage.IDatabase)) as Hubbub.Storage.IDatabase;
        // Corrupt a balance behind the wallet's back (the ledger itself refuses changes: it is append-only).
        await database!.InTransactionAsync(tx => tx.ExecuteAsync("UPDATE wallet_accounts SET balance = 11 WHERE user_id = @ada", new { ada }));
        var appendOnly = await Assert.ThrowsAnyAsync<Exception>(() =>
            database.InTransactionAsync(tx => tx.ExecuteAsync("UPDATE wallet_ledger SET amount = 11 WHERE user_id = @ada", new { ada })));
        Assert.Contains("append-only", appendOnly.Message, StringComparison.Ordinal);
        using var server = house.Server();
        var check = await server.GetAsync("/api/wallet/check");
        Assert.False(check.Body.GetProperty("ok").GetBoolean());
        var difference = Assert.Single(check.Body.GetProperty("differences").EnumerateArray(), d => d.GetProperty("user").GetString() == ada);
        Assert.Equal(11, difference.GetProperty("balance").GetInt64());
        Assert.Equal(10, difference.GetProperty("ledger_balance").GetInt64());
        await database.InTransactionAsync(tx => tx.ExecuteAsync("UPDATE wallet_accounts SET balance = 10 WHERE user_id = @ada", new { ada }));
        await house.AssertConsistentAsync();
    }

    [Theory]
    [InlineData("100.0")]
    [InlineData("1e2")]
    [InlineData("100.5")]
    public async Task A_whole_number_written_with_a_fraction_or_an_exponent_is_refused_naming_the_field(string amount)
    {
        // docs/features/README.md: a whole-number field takes a JSON integer; nothing is granted.
        var ada = Users.New("ada");
        using var server = house.Server();
        var answer = await server.SendAsync(HttpMethod.Post, "/api/wallet/grants",
            $$"""{"user":"{{ada}}","currency":"coins","amount":{{amount}},"id":"g-{{ada}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("bad_request", answer.Code);
        Assert.Contains("amount", answer.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal((0L, 0L), await house.WalletAsync(ada));
    }
}
