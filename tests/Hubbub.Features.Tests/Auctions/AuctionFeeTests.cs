using System.Net;

namespace Hubbub.Features.Tests.Auctions;

/// <summary>An auction house that keeps <c>Auctions:FeePercent</c> = 10 of each sale for the house account <c>house-fees</c>.</summary>
public abstract class FeeAuctionHouse : AuctionHouse
{
    protected override Dictionary<string, string?> Settings => new(base.Settings)
    {
        ["Auctions:FeePercent"] = "10",
        ["Auctions:HouseAccount"] = "house-fees",
    };
}

public sealed class SqliteFeeAuctionHouse : FeeAuctionHouse
{
    public override string Engine => "sqlite";
}

public sealed class PostgresFeeAuctionHouse : FeeAuctionHouse
{
    public override string Engine => "postgres";
}

public sealed class AuctionFeeSqliteTests(SqliteFeeAuctionHouse house) : AuctionFeeTests(house), IClassFixture<SqliteFeeAuctionHouse>;

public sealed class AuctionFeePostgresTests(PostgresFeeAuctionHouse house) : AuctionFeeTests(house), IClassFixture<PostgresFeeAuctionHouse>;

/// <summary>
/// The house fee: a sale pays the winner's price to the seller, who pays the fee to the house account, as <c>fee</c>
/// ledger entries on both sides; coins are conserved and the ledger still sums to every balance.
/// </summary>
public abstract class AuctionFeeTests(AuctionHouse house)
{
    [Fact]
    public async Task A_sale_pays_the_fee_to_the_house_account_as_fee_entries()
    {
        var (seller, ada) = (Users.New("seller"), Users.New("ada"));
        await house.GrantAsync(ada, 1000);
        var (houseBefore, _) = await house.WalletAsync("house-fees");
        var auction = await house.CreateAsync(seller, startingBid: 100, minIncrement: 10);
        Assert.Equal(HttpStatusCode.Created, (await house.ProxyBidAsync(ada, auction, 400, amount: 255)).Status);
        house.Clock.Advance(TimeSpan.FromMinutes(11));
        var ended = await house.SettledAsync(auction);
        Assert.Equal(255, ended.GetProperty("price").GetInt64());

        Assert.Equal((745L, 0L), await house.WalletAsync(ada));
        Assert.Equal((230L, 0L), await house.WalletAsync(seller)); // 255 less 10 % (25, rounded down)
        Assert.Equal((houseBefore + 25, 0L), await house.WalletAsync("house-fees"));
        using var sellerApi = house.Api(seller);
        var entries = (await sellerApi.GetAsync("/api/wallet/ledger")).Body.GetProperty("entries").EnumerateArray()
            .Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("amount").GetInt64(), e.GetProperty("counterparty").GetString())).ToList();
        Assert.Equal([("fee", -25L, "house-fees"), ("transfer", 255L, ada)], entries);
        using var server = house.Server();
        var houseEntries = (await server.GetAsync("/api/wallet/ledger?user=house-fees&limit=100")).Body.GetProperty("entries").EnumerateArray();
        var fee = Assert.Single(houseEntries, e => e.GetProperty("ref").GetString() == $"auction:{auction}");
        Assert.Equal(("fee", 25L, seller), (fee.GetProperty("kind").GetString(), fee.GetProperty("amount").GetInt64(), fee.GetProperty("counterparty").GetString()));
        await house.AssertConsistentAsync();
    }
}
