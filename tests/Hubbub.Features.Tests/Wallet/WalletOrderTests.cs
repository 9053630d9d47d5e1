using Hubbub.Features.Tests.Auctions;

namespace Hubbub.Features.Tests.Wallet;

public sealed class WalletOrderSqliteTests(SqliteAuctionHouse house) : WalletOrderTests(house), IClassFixture<SqliteAuctionHouse>;

public sealed class WalletOrderPostgresTests(PostgresAuctionHouse house) : WalletOrderTests(house), IClassFixture<PostgresAuctionHouse>;

/// <summary>
/// <c>wallet_updated</c> "after each change" (FEATURES.md) comes in the order the changes committed: a client that shows
/// the last frame shows the balance the wallet has. Concurrent grants to one user commit one after the other (the
/// wallet's row), and their frames must not overtake one another between the commit and the publication.
/// </summary>
public abstract class WalletOrderTests(AuctionHouse house)
{
    [Fact]
    public async Task Concurrent_grants_to_one_user_are_told_live_in_the_order_they_committed()
    {
        const int Rounds = 3, Grants = 40;
        for (var round = 0; round < Rounds; round++)
        {
            var ada = Users.New("ada");
            await using var ws = await house.ConnectAsync(ada);
            await ws.SubscribeAsync($"user:{ada}");

            await Task.WhenAll(Enumerable.Range(0, Grants).Select(_ => Task.Run(() => house.GrantAsync(ada, 1))));

            var balances = new List<long>();
            for (var i = 0; i < Grants; i++)
            {
                var frame = await ws.NextAsync(f => f.Type() == "wallet_updated");
                balances.Add(frame.GetProperty("data").GetProperty("balances").GetProperty("coins").GetInt64());
            }
            // Each grant adds one coin: in commit order the balances are 1, 2, … 40, the last one the wallet's.
            Assert.Equal(Enumerable.Range(1, Grants).Select(n => (long)n), balances);
            Assert.Equal((Grants, 0L), await house.WalletAsync(ada));
        }
    }
}
