using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Features.Wallet;
using Hubbub.Protocol;

namespace Hubbub.Features.Auctions;

public sealed partial class AuctionsService
{
    private readonly BidFloors _floors = new();

    /// <summary>
    /// Places a bid as <paramref name="me"/>: under the auction's lock, refused unless the auction is live at this
    /// instant (<c>auction_not_live</c>, also past <c>ends_at</c> before the end job ran), not the bidder's own
    /// (<c>own_auction</c>), at least the next bid (<c>bid_too_low</c>), and covered by the bidder's available coins
    /// (<c>insufficient_funds</c>). A <c>max_amount</c> makes it a proxy bid (<see cref="ProxyBidding"/>): the leader's
    /// hold is their maximum, so the proxy can always pay what it bids. The bidder's own earlier hold on this auction is
    /// topped up, never kept beside a new one, and the previous leader's hold is released in the same transaction. A
    /// repeated <c>client_id</c> answers the first bid again and bids nothing.
    /// </summary>
    public async Task<BidReply> BidAsync(HubbubUser me, BidRequest request, CancellationToken cancellationToken = default)
    {
        var id = AuctionInput.Id(request.Auction);
        var maxAmount = walletOptions.Value.MaxAmount;
        long? amount = request.Amount is null ? null : WalletInput.Amount(request.Amount, maxAmount);
        long? max = request.MaxAmount is null ? null : WalletInput.Amount(request.MaxAmount, maxAmount, "max_amount");
        if (amount is null && max is null)
        {
            throw HubbubException.BadRequest("'amount' or 'max_amount' is required");
        }
        if (max < amount)
        {
            throw HubbubException.BadRequest("'max_amount' must not be below 'amount'");
        }
        var clientId = request.ClientId is null ? null : WalletInput.Id(request.ClientId, "client_id");
        // A plain bid below what this node saw committed cannot win: refused without a write. Not with a client_id, whose
        // retry must answer its first bid (which may have been accepted before the price passed it).
        if (clientId is null && max is null && _floors.Below(id, me.Id, amount!.Value, NowMs) is { } floor)
        {
            throw Refused("bid_too_low", $"the next bid must be at least {floor}");
        }
        return await database.WriteAsync(async tx =>
        {
            if (clientId is null)
            {
                return await PlaceAsync(tx, me, id, amount, max, cancellationToken);
            }
            var (reply, duplicate) = await tx.OnceAsync($"auction.bid:{id}:{me.Id}", clientId, AuctionsJsonContext.Default.BidReply,
                () => PlaceAsync(tx, me, id, amount, max, cancellationToken), cancellationToken);
            return reply with { Duplicate = duplicate };
        }, cancellationToken);
    }

    private async Task<BidReply> PlaceAsync(FeatureTransaction tx, HubbubUser me, string id, long? amount, long? max, CancellationToken ct)
    {
        var row = await AuctionsStore.LockAsync(tx, id, ct) ?? throw NotFound();
        var now = tx.NowMs;
        if (row.Status != AuctionStatus.Open || now < row.StartsMs || now >= row.EndsMs)
        {
            throw Refused("auction_not_live", row.Status == AuctionStatus.Cancelled ? "the auction was cancelled"
                : now < row.StartsMs && row.Status == AuctionStatus.Open ? "the auction has not started yet" : "the auction has ended");
        }
        if (row.Seller == me.Id)
        {
            throw Refused("own_auction", "you cannot bid on your own auction");
        }
        var outcome = ProxyBidding.Resolve(row, me.Id, me.Name, amount, max);

        // The bidder's maximum is held (accounts locked in the wallet's order first). A bid the leader's proxy answers at
        // once must still be covered, so it is held and given back in this same transaction: no bid the bidder could not pay.
        var reference = ReferenceOf(id);
        var previous = row.Leader;
        var ownMax = outcome.BidderLeads ? outcome.LeaderMax : max ?? amount!.Value;
        if (outcome.BidderLeads)
        {
            // The bidder's hold becomes their maximum (topped up, never a second one) and the previous leader's is released:
            // one wallet operation, its accounts locked together in the wallet's order.
            await wallet.SetHoldsAsync(tx, row.Currency, reference,
                previous is null || previous == me.Id ? [new HoldSetting(me.Id, ownMax)] : [new HoldSetting(me.Id, ownMax), new HoldSetting(previous, 0)], ct);
        }
        else
        {
            await wallet.LockAsync(tx, previous is null ? [me.Id] : [me.Id, previous], row.Currency, ct);
            await wallet.HoldAsync(tx, me.Id, row.Currency, reference, ownMax, ct);
            await wallet.ReleaseAsync(tx, me.Id, row.Currency, reference, ct);
        }

        var endsMs = row.EndsMs;
        if (outcome.Bids.Count > 0 && row.ExtendWithinMs > 0 && row.EndsMs - now <= row.ExtendWithinMs)
        {
            // Anti-sniping: a late bid moves the end to now + extend_by, never past max_end_at, never earlier.
            endsMs = Math.Max(row.EndsMs, Math.Min(now + row.ExtendByMs, row.MaxEndMs));
        }
        await AuctionsStore.RecordBidAsync(tx, id, outcome.Price, outcome.Leader, outcome.LeaderName, outcome.LeaderMax, outcome.Bids.Count, endsMs, ct);
        row.Price = outcome.Price;
        row.Leader = outcome.Leader;
        row.LeaderName = outcome.LeaderName;
        row.LeaderMax = outcome.LeaderMax;
        var channel = ChannelOf(id);
        BidView? mine = null;
        foreach (var planned in outcome.Bids)
        {
            var bidId = await AuctionsStore.InsertBidAsync(tx, id, planned.User, planned.Name, planned.Amount, planned.Auto, now, ct);
            row.BidCount++;
            var bid = new BidView(bidId.ToString(System.Globalization.CultureInfo.InvariantCulture), planned.User, planned.Name, planned.Amount, Utc(now),
                planned.Auto);
            mine = planned.User == me.Id ? bid : mine;
            await tx.PublishAsync(channel, AuctionsEvents.BidPlaced, new BidPlacedEvent(id, bid, row.Price.Value, Utc(endsMs), row.BidCount, row.MinNextBid,
                row.Leader), AuctionsJsonContext.Default.BidPlacedEvent, ct);
        }
        // A leader who only raised their maximum placed no bid: their answer shows the bid they stand on.
        mine ??= BidOf(await AuctionsStore.TopBidAsync(tx, id, ct) ?? throw new InvalidOperationException($"auction {id} has a leader but no bid"));
        if (endsMs != row.EndsMs)
        {
            row.EndsMs = endsMs;
            await tx.ScheduleAsync(EndJob, id, At(endsMs), cancellationToken: ct);
            await tx.PublishAsync(channel, AuctionsEvents.Extended, new AuctionExtendedEvent(id, Utc(endsMs)), AuctionsJsonContext.Default.AuctionExtendedEvent, ct);
            await LobbyAsync(tx, "extended", row, ct);
        }
        // Outbid: the leader who lost the lead, or the bidder whose bid the leader's proxy answered at once.
        var loser = !outcome.BidderLeads ? me.Id : previous is not null && previous != me.Id ? previous : null;
        if (loser is not null)
        {
            var outbid = new AuctionUserEvent(id, row.Title, row.Price, row.Currency, MinNextBid: row.MinNextBid);
            await tx.PublishAsync(FeatureTransaction.UserChannel(loser), AuctionsEvents.Outbid, outbid, AuctionsJsonContext.Default.AuctionUserEvent, ct);
            await tx.NotifyAsync(loser, AuctionsEvents.Outbid, outbid, AuctionsJsonContext.Default.AuctionUserEvent, ct);
        }
        var (seller, minNext) = (row.Seller, row.MinNextBid);
        tx.OnCommitted(() => _floors.Committed(id, seller, minNext, endsMs));
        return new BidReply(mine, id, row.Price.Value, Utc(endsMs), row.BidCount, row.MinNextBid, Leader: row.Leader, Leading: outcome.BidderLeads,
            MaxAmount: ownMax);
    }

    private static HubbubException Refused(string reason, string message) => new(ErrorCodes.Conflict, reason, message);
}
