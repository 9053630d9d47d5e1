using Hubbub.Features.Kit.DomainEvents;

namespace Hubbub.Features.Auctions;

/// <summary>The auction house's event names (written with the change, published after the commit) and domain events.</summary>
public static class AuctionsEvents
{
    /// <summary>On <c>auction:{id}</c>: a bid was accepted.</summary>
    public const string BidPlaced = "bid_placed";
    /// <summary>On <c>auction:{id}</c>: a late bid moved the end (anti-sniping).</summary>
    public const string Extended = "auction_extended";
    /// <summary>On <c>auction:{id}</c>: the auction went live at <c>starts_at</c>.</summary>
    public const string Started = "auction_started";
    /// <summary>On <c>auction:{id}</c>: the auction was settled.</summary>
    public const string Ended = "auction_ended";
    /// <summary>On <c>auction:{id}</c>: the seller cancelled before the first bid.</summary>
    public const string Cancelled = "auction_cancelled";
    /// <summary>On <c>user:{id}</c> of the previous leader (and a notification).</summary>
    public const string Outbid = "outbid";
    /// <summary>On <c>user:{id}</c> of the winner (and a notification).</summary>
    public const string Won = "auction_won";
    /// <summary>On <c>user:{id}</c> of the seller when sold (and a notification).</summary>
    public const string Sold = "auction_sold";
    /// <summary>On <c>user:{id}</c> of the seller when nothing was sold (and a notification).</summary>
    public const string Unsold = "auction_unsold";
    /// <summary>On <c>auctions:lobby</c>: an auction was created, started, extended, ended or cancelled.</summary>
    public const string LobbyUpdate = "lobby_update";

    /// <summary>Domain event: <c>user</c> won <c>auction</c> at <c>price</c>.</summary>
    public static readonly DomainEventKind<AuctionSettled> AuctionWon = new("auction.won", AuctionsJsonContext.Default.AuctionSettled);

    /// <summary>Domain event: <c>user</c> (the seller) sold <c>auction</c> at <c>price</c>.</summary>
    public static readonly DomainEventKind<AuctionSettled> AuctionSold = new("auction.sold", AuctionsJsonContext.Default.AuctionSettled);
}
