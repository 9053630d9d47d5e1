namespace Hubbub.Features.Auctions;

/// <summary>An auction's <c>state</c> as clients see it.</summary>
public static class AuctionStates
{
    /// <summary>Before <c>starts_at</c>.</summary>
    public const string Scheduled = "scheduled";
    /// <summary>From <c>starts_at</c> until <c>ends_at</c>: bids are taken.</summary>
    public const string Live = "live";
    /// <summary>From <c>ends_at</c> on (settled once <c>winner</c>/<c>sold</c> are set).</summary>
    public const string Ended = "ended";
    /// <summary>Cancelled by the seller before the first bid.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The state of <paramref name="auction"/> at <paramref name="nowMs"/>: the clock decides between scheduled, live and ended.</summary>
    internal static string Of(AuctionRow auction, long nowMs) => auction.Status switch
    {
        AuctionStatus.Cancelled => Cancelled,
        AuctionStatus.Ended => Ended,
        _ when nowMs < auction.StartsMs => Scheduled,
        _ when nowMs >= auction.EndsMs => Ended,
        _ => Live,
    };
}
