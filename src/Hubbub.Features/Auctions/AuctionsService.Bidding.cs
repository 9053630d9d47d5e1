using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Features.Wallet;
using Hubbub.Protocol;

namespace Hubbub.Features.Auctions;

public sealed partial class AuctionsService
{
    /// <summary>
    /// Places a bid as <paramref name="me"/>: under the auction's lock, refused unless the auction is live at this
    /// instant (<c>auction_not_live</c>, also past <c>ends_at</c> before the end job ran), not the bidder's own
    /// (<c>own_auction</c>), at least the next bid (<c>bid_too_low</c>), and covered by the bidder's available coins
    /// (<c>insufficient_funds</c>). The bid holds its amount (the bidder's own earlier hold on this auction is topped up,
    /// never kept beside it) and releases the previous leader's hold in the same transaction. A repeated
    /// <c>client_id</c> answers the first bid again and bids nothing.
    /// </summary>
    public async Task<BidReply> BidAsync(HubbubUser me, BidRequest request, CancellationToken cancellationToken = default)
    {
        var id = AuctionInput.Id(request.Auction);
        var amount = WalletInput.Amount(request.Amount, walletOptions.Value.MaxAmount);
        var clientId = request.ClientId is null ? null : WalletInput.Id(request.ClientId, "client_id");
        return await database.WriteAsync(async tx =>
        {
            if (clientId is null)
            {
                return await PlaceAsync(tx, me, id, amount, cancellationToken);
            }
            var (reply, duplicate) = await tx.OnceAsync($"auction.bid:{id}:{me.Id}", clientId, AuctionsJsonContext.Default.BidReply,
                () => PlaceAsync(tx, me, id, amount, cancellationToken), cancellationToken);
            return reply with { Duplicate = duplicate };
        }, cancellationToken);
    }

    private async Task<BidReply> PlaceAsync(FeatureTransaction tx, HubbubUser me, string id, long amount, CancellationToken ct)
    {
        var row = await AuctionsStore.LockAsync(tx, id, ct) ?? throw NotFound();
        var now = tx.NowMs;
        if (row.Status != AuctionStatus.Open || now < row.StartsMs || now >= row.EndsMs)
        {
            throw Refused("auction_not_live", now < row.StartsMs && row.Status == AuctionStatus.Open
                ? "the auction has not started yet" : "the auction has ended");
        }
        if (row.Seller == me.Id)
        {
            throw Refused("own_auction", "you cannot bid on your own auction");
        }
        if (amount < row.MinNextBid)
        {
            throw Refused("bid_too_low", $"the next bid must be at least {row.MinNextBid}");
        }

        // The bidder's hold and the previous leader's release, both accounts locked in the wallet's order first.
        var reference = ReferenceOf(id);
        var previous = row.Leader;
        await wallet.LockAsync(tx, previous is null ? [me.Id] : [me.Id, previous], row.Currency, ct);
        await wallet.HoldAsync(tx, me.Id, row.Currency, reference, amount, ct);
        if (previous is not null && previous != me.Id)
        {
            await wallet.ReleaseAsync(tx, previous, row.Currency, reference, ct);
        }

        var bidId = await AuctionsStore.InsertBidAsync(tx, id, me.Id, me.Name, amount, now, ct);
        var endsMs = row.EndsMs;
        if (row.ExtendWithinMs > 0 && row.EndsMs - now <= row.ExtendWithinMs)
        {
            // Anti-sniping: a late bid moves the end to now + extend_by, never past max_end_at, never earlier.
            endsMs = Math.Max(row.EndsMs, Math.Min(now + row.ExtendByMs, row.MaxEndMs));
        }
        await AuctionsStore.RecordBidAsync(tx, id, amount, me.Id, me.Name, endsMs, ct);
        row.Price = amount;
        row.Leader = me.Id;
        row.LeaderName = me.Name;
        row.BidCount++;
        var bid = new BidView(bidId.ToString(System.Globalization.CultureInfo.InvariantCulture), me.Id, me.Name, amount, Utc(now));
        var channel = ChannelOf(id);
        await tx.PublishAsync(channel, AuctionsEvents.BidPlaced, new BidPlacedEvent(id, bid, amount, Utc(endsMs), row.BidCount, row.MinNextBid),
            AuctionsJsonContext.Default.BidPlacedEvent, ct);
        if (endsMs != row.EndsMs)
        {
            row.EndsMs = endsMs;
            await tx.ScheduleAsync(EndJob, id, At(endsMs), cancellationToken: ct);
            await tx.PublishAsync(channel, AuctionsEvents.Extended, new AuctionExtendedEvent(id, Utc(endsMs)), AuctionsJsonContext.Default.AuctionExtendedEvent, ct);
            await LobbyAsync(tx, "extended", row, ct);
        }
        if (previous is not null && previous != me.Id)
        {
            var outbid = new AuctionUserEvent(id, row.Title, amount, row.Currency, MinNextBid: row.MinNextBid);
            await tx.PublishAsync(FeatureTransaction.UserChannel(previous), AuctionsEvents.Outbid, outbid, AuctionsJsonContext.Default.AuctionUserEvent, ct);
            await tx.NotifyAsync(previous, AuctionsEvents.Outbid, outbid, AuctionsJsonContext.Default.AuctionUserEvent, ct);
        }
        return new BidReply(bid, id, amount, Utc(endsMs), row.BidCount, row.MinNextBid);
    }

    private static HubbubException Refused(string reason, string message) => new(ErrorCodes.Conflict, reason, message);
}
