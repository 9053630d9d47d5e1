using System.Collections.Concurrent;

namespace Hubbub.Features.Auctions;

/// <summary>
/// This node's lower bounds of live auctions' minimum next bids, from the bids it committed: a plain bid below its
/// auction's floor is refused (<c>bid_too_low</c>) without taking the writer. Sound under any concurrency and across
/// nodes because each bound only ever lags the truth: while an auction is open its price never falls and its end never
/// comes earlier, and an auction with a bid can no longer be cancelled, so a floor recorded after a commit stays a floor
/// until the end it was recorded with (another node's bids only raise the true minimum). Past that end, or without a
/// floor, the bid goes to the database as before.
/// </summary>
internal sealed class BidFloors
{
    /// <summary>More auctions than this and the floors start over (a bound on memory; a missing floor costs one write).</summary>
    private const int MaxAuctions = 10_000;

    private readonly ConcurrentDictionary<string, Floor> _floors = new(StringComparer.Ordinal);

    /// <summary>A committed state of an auction with at least one bid: its seller, the least next bid, and its end.</summary>
    private readonly record struct Floor(string Seller, long MinNextBid, long EndsMs);

    /// <summary>
    /// The floor a plain bid of <paramref name="amount"/> by <paramref name="bidder"/> falls below at <paramref name="nowMs"/>,
    /// or null when the database must decide (no floor, past its end, the seller's own bid, or at least the floor).
    /// </summary>
    public long? Below(string auction, string bidder, long amount, long nowMs)
    {
        if (!_floors.TryGetValue(auction, out var floor))
        {
            return null;
        }
        if (nowMs >= floor.EndsMs)
        {
            _floors.TryRemove(new KeyValuePair<string, Floor>(auction, floor));
            return null;
        }
        return amount < floor.MinNextBid && bidder != floor.Seller ? floor.MinNextBid : null;
    }

    /// <summary>Records an auction's state after a committed bid (never lowering what another commit recorded).</summary>
    public void Committed(string auction, string seller, long minNextBid, long endsMs)
    {
        if (_floors.Count >= MaxAuctions && !_floors.ContainsKey(auction))
        {
            _floors.Clear();
        }
        _floors.AddOrUpdate(auction, static (_, f) => f,
            static (_, old, f) => new Floor(f.Seller, Math.Max(old.MinNextBid, f.MinNextBid), Math.Max(old.EndsMs, f.EndsMs)),
            new Floor(seller, minNextBid, endsMs));
    }

    /// <summary>Forgets an auction (ended or cancelled on this node).</summary>
    public void Forget(string auction) => _floors.TryRemove(auction, out _);
}
