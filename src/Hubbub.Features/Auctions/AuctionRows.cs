namespace Hubbub.Features.Auctions;

// Settable properties: SQLite returns every integer as 64-bit, which Dapper converts for properties only.

internal sealed class AuctionRow
{
    public string Id { get; set; } = "";
    public string Seller { get; set; } = "";
    public string SellerName { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Description { get; set; }
    public string Currency { get; set; } = "";
    public long StartingBid { get; set; }
    public long MinIncrement { get; set; }
    public long? ReservePrice { get; set; }
    public long StartsMs { get; set; }
    public long EndsMs { get; set; }
    public long MaxEndMs { get; set; }
    public long ExtendWithinMs { get; set; }
    public long ExtendByMs { get; set; }
    public string Status { get; set; } = AuctionStatus.Open;
    public long? Price { get; set; }
    public string? Leader { get; set; }
    public string? LeaderName { get; set; }
    /// <summary>The leader's maximum (proxy bidding; what their hold covers), null for rows from before proxies.</summary>
    public long? LeaderMax { get; set; }
    public long BidCount { get; set; }
    public string? Winner { get; set; }
    public long Sold { get; set; }
    public long? SettledMs { get; set; }
    public long CreatedMs { get; set; }

    /// <summary>The least the next bid may be: the starting bid first, then the price plus the increment.</summary>
    public long MinNextBid => Price is { } price ? price + MinIncrement : StartingBid;
}

internal sealed class BidRow
{
    public long Id { get; set; }
    public string AuctionId { get; set; } = "";
    public string UserId { get; set; } = "";
    public string UserName { get; set; } = "";
    public long Amount { get; set; }
    public long CreatedMs { get; set; }
    public long Auto { get; set; }
}

/// <summary>What settled an auction (the stored <c>status</c>).</summary>
internal static class AuctionStatus
{
    public const string Open = "open";
    public const string Ended = "ended";
    public const string Cancelled = "cancelled";
}
