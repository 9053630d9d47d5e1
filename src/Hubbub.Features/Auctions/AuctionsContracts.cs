using System.Text.Json.Serialization;
using Hubbub.Features.Kit.Callers;

namespace Hubbub.Features.Auctions;

/// <summary>
/// An auction as everyone sees it. <c>state</c>: <c>scheduled</c> before <c>starts_at</c>, <c>live</c> until
/// <c>ends_at</c>, then <c>ended</c> (<c>winner</c>, <c>sold</c> and <c>settled_at</c> are set once it is settled), or <c>cancelled</c>.
/// <c>price</c> is the highest bid (null before the first); <c>min_next_bid</c> the least the next bid may be.
/// <c>reserve_price</c> is shown to the seller (and admins) only; everyone sees <c>has_reserve</c> and <c>reserve_met</c>.
/// </summary>
public sealed record AuctionView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("seller")] string Seller,
    [property: JsonPropertyName("seller_name")] string SellerName,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("price")] long? Price,
    [property: JsonPropertyName("leader")] string? Leader,
    [property: JsonPropertyName("leader_name")] string? LeaderName,
    [property: JsonPropertyName("bid_count")] long BidCount,
    [property: JsonPropertyName("starting_bid")] long StartingBid,
    [property: JsonPropertyName("min_increment")] long MinIncrement,
    [property: JsonPropertyName("min_next_bid")] long MinNextBid,
    [property: JsonPropertyName("has_reserve")] bool HasReserve,
    [property: JsonPropertyName("reserve_met")] bool ReserveMet,
    [property: JsonPropertyName("reserve_price"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ReservePrice,
    [property: JsonPropertyName("starts_at")] DateTime StartsAt,
    [property: JsonPropertyName("ends_at")] DateTime EndsAt,
    [property: JsonPropertyName("max_end_at")] DateTime MaxEndAt,
    [property: JsonPropertyName("extend_within_s")] long ExtendWithinS,
    [property: JsonPropertyName("extend_by_s")] long ExtendByS,
    [property: JsonPropertyName("winner")] string? Winner,
    [property: JsonPropertyName("sold")] bool Sold,
    [property: JsonPropertyName("settled_at")] DateTime? SettledAt,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt);

/// <summary><c>GET /api/auctions</c>: newest first; <c>next_cursor</c> is the <c>before</c> of the next page (null at the end).</summary>
public sealed record AuctionList(
    [property: JsonPropertyName("auctions")] IReadOnlyList<AuctionView> Auctions,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>
/// One bid; <c>name</c> is the bidder's display name when they bid; <c>auto</c> when a proxy placed it (a maximum
/// answering or beating another bid) rather than the amount its bidder asked for.
/// </summary>
public sealed record BidView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("at")] DateTime At,
    [property: JsonPropertyName("auto")] bool Auto = false);

/// <summary>
/// <c>GET /api/auctions/{id}/bids</c>: highest first (newest first among equal amounts); <c>next_cursor</c> is the
/// <c>before</c> of the next page.
/// </summary>
public sealed record BidList(
    [property: JsonPropertyName("bids")] IReadOnlyList<BidView> Bids,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>
/// <c>POST /api/auctions</c> and <c>auction.create</c>. Times are ISO-8601 with an offset (<c>2030-01-01T12:00:00Z</c>);
/// <c>starts_at</c> may be left out for now. <c>extend_within_s</c> 0 (the default) turns anti-sniping off.
/// </summary>
public sealed record CreateAuctionRequest(
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("currency")] string? Currency,
    [property: JsonPropertyName("starting_bid")] long? StartingBid,
    [property: JsonPropertyName("min_increment")] long? MinIncrement,
    [property: JsonPropertyName("starts_at")] string? StartsAt,
    [property: JsonPropertyName("ends_at")] string? EndsAt,
    [property: JsonPropertyName("extend_within_s")] long? ExtendWithinS = null,
    [property: JsonPropertyName("extend_by_s")] long? ExtendByS = null,
    [property: JsonPropertyName("max_end_at")] string? MaxEndAt = null,
    [property: JsonPropertyName("reserve_price")] long? ReservePrice = null,
    [property: JsonPropertyName("seller")] string? Seller = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest
{
    /// <summary>
    /// A server names the seller as <c>seller</c> (or, like every server call, <c>user</c>). Both, naming different users,
    /// is <c>bad_request</c>, as <c>?user=</c> and a body's user are (<see cref="CallerResolver.NamedUser"/>): before, the
    /// <c>seller</c> won silently, so a call meant for the one named <c>user</c> sold as the other. Read on both doors
    /// (REST and the <c>auction.create</c> command), so both refuse alike.
    /// </summary>
    string? IActingRequest.User => CallerResolver.OneUser(Seller, User, "\"seller\" and \"user\"");

    /// <summary>A server call naming nobody is told to name the <c>seller</c>.</summary>
    static string IActingRequest.ActingField => "seller";
}

/// <summary>
/// <c>POST /api/auctions/{id}/bids</c> and <c>auction.bid</c>: bid <c>amount</c>, or let the server bid for you up to
/// <c>max_amount</c> (proxy bidding; both: at least <c>amount</c>, up to <c>max_amount</c>); a repeated <c>client_id</c>
/// is the same bid.
/// </summary>
public sealed record BidRequest(
    [property: JsonPropertyName("amount")] long? Amount,
    [property: JsonPropertyName("client_id")] string? ClientId = null,
    [property: JsonPropertyName("auction")] string? Auction = null,
    [property: JsonPropertyName("user")] string? User = null,
    [property: JsonPropertyName("max_amount")] long? MaxAmount = null) : IActingRequest;

/// <summary><c>auction.get</c>, <c>auction.cancel</c> and <c>POST /api/auctions/{id}/cancel</c>: which auction.</summary>
public sealed record AuctionRequest(
    [property: JsonPropertyName("auction")] string? Auction,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary>
/// The answer to a bid: the caller's bid (for a leader who only raised their maximum: their standing bid), the auction's
/// price, leader and end after it; <c>leading</c> false when the leader's proxy answered the bid at once;
/// <c>max_amount</c> the caller's maximum (held in their wallet while they lead); <c>duplicate</c> when a
/// <c>client_id</c> repeated it.
/// </summary>
public sealed record BidReply(
    [property: JsonPropertyName("bid")] BidView Bid,
    [property: JsonPropertyName("auction")] string Auction,
    [property: JsonPropertyName("price")] long Price,
    [property: JsonPropertyName("ends_at")] DateTime EndsAt,
    [property: JsonPropertyName("bid_count")] long BidCount,
    [property: JsonPropertyName("min_next_bid")] long MinNextBid,
    [property: JsonPropertyName("duplicate")] bool Duplicate = false,
    [property: JsonPropertyName("leader")] string? Leader = null,
    [property: JsonPropertyName("leading")] bool Leading = true,
    [property: JsonPropertyName("max_amount")] long? MaxAmount = null);

/// <summary>
/// <c>bid_placed</c> on <c>auction:{id}</c>, one per recorded bid (a bid answered by a proxy gives two); <c>price</c>,
/// <c>leader</c> and <c>min_next_bid</c> are the auction's after the whole bid, <c>bid_count</c> counts up to this one.
/// </summary>
public sealed record BidPlacedEvent(
    [property: JsonPropertyName("auction")] string Auction,
    [property: JsonPropertyName("bid")] BidView Bid,
    [property: JsonPropertyName("price")] long Price,
    [property: JsonPropertyName("ends_at")] DateTime EndsAt,
    [property: JsonPropertyName("bid_count")] long BidCount,
    [property: JsonPropertyName("min_next_bid")] long MinNextBid,
    [property: JsonPropertyName("leader")] string? Leader = null);

/// <summary><c>auction_extended</c> on <c>auction:{id}</c>: anti-sniping moved the end.</summary>
public sealed record AuctionExtendedEvent(
    [property: JsonPropertyName("auction")] string Auction,
    [property: JsonPropertyName("ends_at")] DateTime EndsAt);

/// <summary><c>auction_started</c> and <c>auction_cancelled</c> on <c>auction:{id}</c>.</summary>
public sealed record AuctionStateEvent(
    [property: JsonPropertyName("auction")] string Auction,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("starts_at")] DateTime StartsAt,
    [property: JsonPropertyName("ends_at")] DateTime EndsAt);

/// <summary><c>auction_ended</c> on <c>auction:{id}</c>: <c>winner</c> and <c>price</c> are null when nothing was sold.</summary>
public sealed record AuctionEndedEvent(
    [property: JsonPropertyName("auction")] string Auction,
    [property: JsonPropertyName("winner")] string? Winner,
    [property: JsonPropertyName("winner_name")] string? WinnerName,
    [property: JsonPropertyName("price")] long? Price,
    [property: JsonPropertyName("sold")] bool Sold,
    [property: JsonPropertyName("reason")] string? Reason);

/// <summary>
/// The personal events on <c>user:{id}</c> (also kept as notifications): <c>outbid</c> (<c>price</c> the new price),
/// <c>auction_won</c>, <c>auction_sold</c> (<c>winner</c> the buyer), <c>auction_unsold</c> (<c>reason</c>
/// <c>no_bids</c> or <c>reserve_not_met</c>).
/// </summary>
public sealed record AuctionUserEvent(
    [property: JsonPropertyName("auction")] string Auction,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("price")] long? Price,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("winner"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Winner = null,
    [property: JsonPropertyName("min_next_bid"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? MinNextBid = null,
    [property: JsonPropertyName("reason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null);

/// <summary>The domain events <c>auction.won</c> (<c>user</c> the buyer) and <c>auction.sold</c> (<c>user</c> the seller).</summary>
public sealed record AuctionSettled(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("auction")] string Auction,
    [property: JsonPropertyName("price")] long Price,
    [property: JsonPropertyName("currency")] string Currency);

/// <summary>
/// The state a subscriber of <c>auction:{id}</c> gets at once: the auction's live figures at the top, the whole
/// auction, and its latest bids (highest first).
/// </summary>
public sealed record AuctionJoinState(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("price")] long? Price,
    [property: JsonPropertyName("leader")] string? Leader,
    [property: JsonPropertyName("bid_count")] long BidCount,
    [property: JsonPropertyName("min_next_bid")] long MinNextBid,
    [property: JsonPropertyName("ends_at")] DateTime EndsAt,
    [property: JsonPropertyName("auction")] AuctionView Auction,
    [property: JsonPropertyName("bids")] IReadOnlyList<BidView> Bids);

/// <summary>The lobby's join state: live and scheduled auctions, ending soonest first.</summary>
public sealed record LobbyState([property: JsonPropertyName("auctions")] IReadOnlyList<AuctionView> Auctions);

/// <summary><c>lobby_update</c> on <c>auctions:lobby</c>: <c>kind</c> created, started, extended, ended or cancelled.</summary>
public sealed record LobbyUpdate(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("auction")] AuctionView Auction);

/// <summary>Source-generated JSON for the auctions API.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AuctionView))]
[JsonSerializable(typeof(AuctionList))]
[JsonSerializable(typeof(BidList))]
[JsonSerializable(typeof(CreateAuctionRequest))]
[JsonSerializable(typeof(BidRequest))]
[JsonSerializable(typeof(AuctionRequest))]
[JsonSerializable(typeof(BidReply))]
[JsonSerializable(typeof(BidPlacedEvent))]
[JsonSerializable(typeof(AuctionExtendedEvent))]
[JsonSerializable(typeof(AuctionStateEvent))]
[JsonSerializable(typeof(AuctionEndedEvent))]
[JsonSerializable(typeof(AuctionUserEvent))]
[JsonSerializable(typeof(AuctionSettled))]
[JsonSerializable(typeof(AuctionJoinState))]
[JsonSerializable(typeof(LobbyState))]
[JsonSerializable(typeof(LobbyUpdate))]
public sealed partial class AuctionsJsonContext : JsonSerializerContext;
