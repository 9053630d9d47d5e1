using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Scheduling;

namespace Hubbub.Features.Auctions;

public sealed partial class AuctionsService
{
    /// <summary>The start job: announces <c>auction_started</c> (the clock already made the auction live).</summary>
    internal async Task StartAsync(FeatureTransaction tx, Job job, CancellationToken ct)
    {
        if (await AuctionsStore.FindAsync(tx, job.Key, ct) is not { Status: AuctionStatus.Open } row)
        {
            return;
        }
        await tx.PublishAsync(ChannelOf(row.Id), AuctionsEvents.Started, StateEvent(row, tx.NowMs), AuctionsJsonContext.Default.AuctionStateEvent, ct);
        await LobbyAsync(tx, "started", row, ct);
    }

    /// <summary>
    /// The end job, run once by one node inside the transaction that removes it (also on the first start after every
    /// node was down at the end). Under the auction's lock: nothing to do when it was settled or cancelled, or when a late
    /// bid moved the end (the job was rescheduled). Otherwise the highest bid wins if it meets the reserve: the winner's
    /// hold is captured and paid to the seller (less the house fee), every other hold on the auction is released, and the
    /// result goes out on the channels, as notifications and as the domain events <c>auction.won</c> and
    /// <c>auction.sold</c>. Bids after <c>ends_at</c> were refused, so the bids counted are exactly those before it.
    /// </summary>
    internal async Task EndAsync(FeatureTransaction tx, Job job, CancellationToken ct)
    {
        if (await AuctionsStore.LockAsync(tx, job.Key, ct) is not { Status: AuctionStatus.Open } row || row.EndsMs > tx.NowMs)
        {
            return;
        }
        _floors.Forget(row.Id); // memory only: a floor is never used past the end it was recorded with
        var reference = ReferenceOf(row.Id);
        var sold = row.Leader is not null && row.Price is { } price && (row.ReservePrice is not { } reserve || price >= reserve);
        var house = Options.FeePercent > 0 ? Options.HouseAccount : null;
        var holds = await wallet.HoldsForAsync(tx, reference, ct);
        var accounts = holds.Select(h => h.User).Append(row.Seller);
        await wallet.LockAsync(tx, house is null ? accounts : accounts.Append(house), row.Currency, ct);
        if (sold)
        {
            // The leader's hold is their maximum (proxy bidding); the part above the price goes back before the price is paid.
            await wallet.HoldAsync(tx, row.Leader!, row.Currency, reference, row.Price!.Value, ct);
            var fee = row.Price!.Value * Options.FeePercent / 100;
            var captured = await wallet.CaptureAsync(tx, row.Leader!, row.Seller, row.Currency, reference, fee, house, ct);
            if (captured != row.Price)
            {
                // The leader's hold is always the leading bid; anything else is a bug, rolled back and retried rather than paid.
                throw new InvalidOperationException($"auction {row.Id}: the leader's hold {captured} is not the price {row.Price}");
            }
        }
        foreach (var hold in holds.Where(h => !(sold && h.User == row.Leader)))
        {
            await wallet.ReleaseAsync(tx, hold.User, hold.Currency, reference, ct);
        }
        fault.StrikeIfOn(); // tests only: die with the coins moved and nothing committed
        var winner = sold ? row.Leader : null;
        await AuctionsStore.SettleAsync(tx, row.Id, AuctionStatus.Ended, winner, sold, tx.NowMs, ct);
        row.Status = AuctionStatus.Ended;
        row.Winner = winner;
        row.Sold = sold ? 1 : 0;
        row.SettledMs = tx.NowMs;

        var reason = sold ? null : row.BidCount == 0 ? "no_bids" : "reserve_not_met";
        await tx.PublishAsync(ChannelOf(row.Id), AuctionsEvents.Ended,
            new AuctionEndedEvent(row.Id, winner, sold ? row.LeaderName : null, sold ? row.Price : null, sold, reason),
            AuctionsJsonContext.Default.AuctionEndedEvent, ct);
        var json = AuctionsJsonContext.Default.AuctionUserEvent;
        if (sold)
        {
            var won = new AuctionUserEvent(row.Id, row.Title, row.Price, row.Currency);
            await tx.PublishAsync(FeatureTransaction.UserChannel(winner!), AuctionsEvents.Won, won, json, ct);
            await tx.NotifyAsync(winner!, AuctionsEvents.Won, won, json, ct);
            var soldEvent = new AuctionUserEvent(row.Id, row.Title, row.Price, row.Currency, Winner: winner);
            await tx.PublishAsync(FeatureTransaction.UserChannel(row.Seller), AuctionsEvents.Sold, soldEvent, json, ct);
            await tx.NotifyAsync(row.Seller, AuctionsEvents.Sold, soldEvent, json, ct);
            await tx.RaiseAsync(AuctionsEvents.AuctionWon, new AuctionSettled(winner!, row.Id, row.Price!.Value, row.Currency), ct);
            await tx.RaiseAsync(AuctionsEvents.AuctionSold, new AuctionSettled(row.Seller, row.Id, row.Price!.Value, row.Currency), ct);
        }
        else
        {
            var unsold = new AuctionUserEvent(row.Id, row.Title, row.Price, row.Currency, Reason: reason);
            await tx.PublishAsync(FeatureTransaction.UserChannel(row.Seller), AuctionsEvents.Unsold, unsold, json, ct);
            await tx.NotifyAsync(row.Seller, AuctionsEvents.Unsold, unsold, json, ct);
        }
        await LobbyAsync(tx, "ended", row, ct);
    }
}
