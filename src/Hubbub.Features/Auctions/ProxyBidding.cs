using Hubbub.Core;
using Hubbub.Protocol;

namespace Hubbub.Features.Auctions;

/// <summary>A bid the resolution records: who, how much, and whether a proxy placed it rather than the amount asked.</summary>
internal sealed record PlannedBid(string User, string Name, long Amount, bool Auto);

/// <summary>
/// What a bid does to an auction: the bids to record (in order), the price and leader after them, the leader's maximum
/// (what their hold covers), and whether the bidder leads.
/// </summary>
internal sealed record BidOutcome(IReadOnlyList<PlannedBid> Bids, long Price, string Leader, string LeaderName, long LeaderMax, bool BidderLeads);

/// <summary>
/// Proxy bidding, eBay style, as one pure decision over the locked auction row. A bid gives an <c>amount</c> (bid exactly
/// this), a <c>max_amount</c> (bid for me up to this), or both (bid at least <c>amount</c>, up to <c>max_amount</c>). Only
/// the leader's maximum matters: any other bidder's maximum was passed when they lost the lead. Rules:
/// <list type="bullet">
/// <item>A new maximum above the leader's takes the lead at the leader's maximum plus the increment (capped at the new
/// maximum, never below the bid's own <c>amount</c>); the old leader's proxy first bids its whole maximum (shown as an
/// automatic bid) so the bid list tells what happened.</item>
/// <item>A maximum (or a plain amount) at or below the leader's maximum stands as a bid at its maximum and is answered at
/// once by the leader's proxy at that plus the increment (capped at the leader's maximum). An equal maximum loses: the
/// earlier one wins ties.</item>
/// <item>The leader may raise their maximum without moving the price, or bid a higher amount (the price moves there);
/// their maximum never goes down.</item>
/// </list>
/// A bid without a maximum is a maximum equal to its amount, so plain bids follow the same rules (the price of a plain
/// bid that takes the lead is its amount).
/// </summary>
internal static class ProxyBidding
{
    public static BidOutcome Resolve(AuctionRow row, string bidder, string bidderName, long? amount, long? max)
    {
        var minNext = row.MinNextBid;
        var own = max ?? amount ?? throw new ArgumentException("a bid has an amount or a maximum");
        if (row.Leader == bidder)
        {
            var current = row.LeaderMax ?? row.Price!.Value;
            if (amount is null)
            {
                // Raising the maximum only: the price stays, the hold grows.
                var least = Math.Max(current + 1, minNext);
                return own >= least
                    ? new BidOutcome([], row.Price!.Value, bidder, bidderName, own, BidderLeads: true)
                    : throw TooLow(least, own <= current ? $"your maximum is already {current}" : null);
            }
            if (amount < minNext)
            {
                throw TooLow(minNext);
            }
            if (max < current)
            {
                throw TooLow(current, $"your maximum is already {current}; a maximum never goes down");
            }
            return new BidOutcome([new PlannedBid(bidder, bidderName, amount.Value, Auto: false)], amount.Value, bidder, bidderName,
                Math.Max(current, own), BidderLeads: true);
        }
        if (own < minNext || amount < minNext)
        {
            throw TooLow(minNext);
        }
        var asked = amount ?? minNext;
        if (row.Leader is null)
        {
            return new BidOutcome([new PlannedBid(bidder, bidderName, asked, Auto: false)], asked, bidder, bidderName, own, BidderLeads: true);
        }
        var leaderMax = row.LeaderMax ?? row.Price!.Value;
        if (own > leaderMax)
        {
            var bids = new List<PlannedBid>(2);
            if (leaderMax > row.Price)
            {
                bids.Add(new PlannedBid(row.Leader, row.LeaderName!, leaderMax, Auto: true));
            }
            var price = Math.Max(asked, Math.Min(leaderMax + row.MinIncrement, own));
            bids.Add(new PlannedBid(bidder, bidderName, price, Auto: price != amount));
            return new BidOutcome(bids, price, bidder, bidderName, own, BidderLeads: true);
        }
        // The leader's maximum covers this one: it stands at its maximum, and the leader's proxy answers it at once.
        var answer = Math.Min(own + row.MinIncrement, leaderMax);
        return new BidOutcome(
            [new PlannedBid(bidder, bidderName, own, Auto: own != amount), new PlannedBid(row.Leader, row.LeaderName!, answer, Auto: true)],
            answer, row.Leader, row.LeaderName!, leaderMax, BidderLeads: false);
    }

    private static HubbubException TooLow(long least, string? why = null) =>
        new(ErrorCodes.Conflict, "bid_too_low", why ?? $"the next bid must be at least {least}");
}
