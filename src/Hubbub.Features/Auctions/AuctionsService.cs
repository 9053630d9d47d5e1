using System.Globalization;
using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Wallet;
using Hubbub.Protocol;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Auctions;

/// <summary>
/// The auction house: timed auctions in one currency of the wallet, bids that hold their amount in the bidder's wallet
/// (<see cref="IWallet"/>, in the bid's own transaction), anti-sniping, and a settlement at the end that pays the
/// winner's hold to the seller exactly once. Every change of one auction runs under its row lock (PostgreSQL) or the
/// write lock (SQLite), so bids, cancels and the end happen one after another and the highest valid bid wins.
/// Events are written with the change (the kit's outbox) and published after the commit (<see cref="AuctionsEvents"/>).
/// </summary>
public sealed partial class AuctionsService(FeatureDatabase database, IWallet wallet, IOptions<AuctionsOptions> options,
    IOptions<WalletOptions> walletOptions, TimeProvider time, SettlementFault fault)
{
    /// <summary>The channel namespace of auctions.</summary>
    public const string Namespace = "auction";

    /// <summary>The lobby channel's namespace (its one channel is <c>auctions:lobby</c>).</summary>
    public const string LobbyNamespace = "auctions";

    /// <summary>The lobby channel.</summary>
    public const string LobbyChannel = "auctions:lobby";

    /// <summary>The job that announces the start.</summary>
    public const string StartJob = "auction.start";

    /// <summary>The job that settles the auction at its end.</summary>
    public const string EndJob = "auction.end";

    private AuctionsOptions Options => options.Value;

    /// <summary>The channel of an auction.</summary>
    public static string ChannelOf(string auction) => $"{Namespace}:{auction}";

    /// <summary>What holds and ledger entries of an auction are for (<c>ref</c> in the wallet).</summary>
    public static string ReferenceOf(string auction) => $"auction:{auction}";

    private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Creates an auction sold by <paramref name="me"/> and schedules its start and end.</summary>
    public async Task<AuctionView> CreateAsync(HubbubUser me, CreateAuctionRequest request, CancellationToken cancellationToken = default)
    {
        var row = AuctionInput.Create(request, me, NowMs, Options, walletOptions.Value);
        return await database.WriteAsync(async tx =>
        {
            row.CreatedMs = tx.NowMs;
            await AuctionsStore.InsertAsync(tx, row, cancellationToken);
            await tx.ScheduleAsync(StartJob, row.Id, At(row.StartsMs), cancellationToken: cancellationToken);
            await tx.ScheduleAsync(EndJob, row.Id, At(row.EndsMs), cancellationToken: cancellationToken);
            await LobbyAsync(tx, "created", row, cancellationToken);
            return View(row, tx.NowMs, showReserve: true);
        }, cancellationToken);
    }

    /// <summary>One auction (the reserve price shown to its seller and admins only).</summary>
    public async Task<AuctionView> GetAsync(HubbubUser me, AuctionRequest request, CancellationToken cancellationToken = default)
    {
        var id = AuctionInput.Id(request.Auction);
        var row = await database.ReadAsync(tx => AuctionsStore.FindAsync(tx, id, cancellationToken), cancellationToken) ?? throw NotFound();
        return View(row, NowMs, showReserve: me.IsAdmin || me.Id == row.Seller);
    }

    /// <summary>Auctions in <paramref name="state"/> (any when null), newest first, optionally of one seller.</summary>
    public async Task<AuctionList> ListAsync(HubbubUser me, string? state, string? seller, string? before, int? limit, CancellationToken cancellationToken = default)
    {
        if (state is not (null or AuctionStates.Scheduled or AuctionStates.Live or AuctionStates.Ended or AuctionStates.Cancelled))
        {
            throw HubbubException.BadRequest("'state' must be scheduled, live, ended or cancelled");
        }
        if (seller is not null)
        {
            Kit.Users.UserDirectory.CheckUserId(seller, "seller");
        }
        var size = PageSize(limit);
        // A cursor is "{created_ms}_{auction id}" of the previous page's last auction.
        var cursor = before is null ? (KeysetCursor?)null
            : KeysetCursor.Parse(before, '_', id => id.Length is >= 1 and <= AuctionInput.MaxIdLength);
        var now = NowMs;
        var rows = await database.ReadAsync(tx => AuctionsStore.ListAsync(tx, state, seller, now, cursor?.Ms, cursor?.Id, size + 1, cancellationToken),
            cancellationToken);
        var page = rows.Take(size).ToList();
        return new AuctionList(page.Select(r => View(r, now, me.IsAdmin || me.Id == r.Seller)).ToList(),
            rows.Count > size ? KeysetCursor.Format(page[^1].CreatedMs, page[^1].Id, '_') : null);
    }

    /// <summary>An auction's bids, highest first; <paramref name="before"/> is the cursor (a bid id) the previous page ended at.</summary>
    public async Task<BidList> BidsAsync(AuctionRequest request, string? before, int? limit, CancellationToken cancellationToken = default)
    {
        var id = AuctionInput.Id(request.Auction);
        long? older = before is null ? null
            : long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b
            : throw HubbubException.BadRequest("'before' must be a cursor from an earlier page");
        var size = PageSize(limit);
        var rows = await database.ReadAsync(async tx =>
            await AuctionsStore.FindAsync(tx, id, cancellationToken) is null ? null : await AuctionsStore.BidsAsync(tx, id, older, size + 1, cancellationToken),
            cancellationToken) ?? throw NotFound();
        var page = rows.Take(size).ToList();
        return new BidList(page.Select(BidOf).ToList(), rows.Count > size ? page[^1].Id.ToString(CultureInfo.InvariantCulture) : null);
    }

    /// <summary>Cancels an auction: its seller (or an admin), before the first bid and before it ended.</summary>
    public async Task<AuctionView> CancelAsync(HubbubUser me, AuctionRequest request, CancellationToken cancellationToken = default)
    {
        var id = AuctionInput.Id(request.Auction);
        return await database.WriteAsync(async tx =>
        {
            var row = await AuctionsStore.LockAsync(tx, id, cancellationToken) ?? throw NotFound();
            if (!me.IsAdmin && me.Id != row.Seller)
            {
                throw HubbubException.Forbidden("only the seller (or an admin) may cancel an auction");
            }
            if (row.Status != AuctionStatus.Open || tx.NowMs >= row.EndsMs)
            {
                throw new HubbubException(ErrorCodes.Conflict, "auction_not_live", "the auction has already ended or been cancelled");
            }
            if (row.BidCount > 0)
            {
                throw new HubbubException(ErrorCodes.Conflict, "has_bids", "an auction with bids cannot be cancelled");
            }
            await AuctionsStore.SettleAsync(tx, id, AuctionStatus.Cancelled, null, false, tx.NowMs, cancellationToken);
            await tx.CancelJobAsync(StartJob, id, cancellationToken);
            await tx.CancelJobAsync(EndJob, id, cancellationToken);
            row.Status = AuctionStatus.Cancelled;
            row.SettledMs = tx.NowMs;
            await tx.PublishAsync(ChannelOf(id), AuctionsEvents.Cancelled, StateEvent(row, tx.NowMs), AuctionsJsonContext.Default.AuctionStateEvent,
                cancellationToken);
            await LobbyAsync(tx, "cancelled", row, cancellationToken);
            return View(row, tx.NowMs, showReserve: true);
        }, cancellationToken);
    }

    private Task LobbyAsync(FeatureTransaction tx, string kind, AuctionRow row, CancellationToken ct) =>
        tx.PublishAsync(LobbyChannel, AuctionsEvents.LobbyUpdate, new LobbyUpdate(kind, View(row, tx.NowMs, showReserve: false)),
            AuctionsJsonContext.Default.LobbyUpdate, ct);

    private int PageSize(int? limit)
    {
        var size = limit ?? 50;
        return size >= 1 && size <= Options.MaxPageSize ? size : throw HubbubException.BadRequest($"'limit' must be from 1 to {Options.MaxPageSize}");
    }

    internal static HubbubException NotFound() => HubbubException.NotFound("auction not found");

    private static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTime Utc(long ms) => At(ms).UtcDateTime;

    internal static BidView BidOf(BidRow b) =>
        new(b.Id.ToString(CultureInfo.InvariantCulture), b.UserId, b.UserName, b.Amount, Utc(b.CreatedMs), b.Auto != 0);

    private static AuctionStateEvent StateEvent(AuctionRow row, long now) =>
        new(row.Id, AuctionStates.Of(row, now), Utc(row.StartsMs), Utc(row.EndsMs));

    internal static AuctionView View(AuctionRow r, long now, bool showReserve) => new(
        r.Id, ChannelOf(r.Id), r.Title, r.Description, r.Seller, r.SellerName, r.Currency, AuctionStates.Of(r, now), r.Price, r.Leader, r.LeaderName,
        r.BidCount, r.StartingBid, r.MinIncrement, r.MinNextBid, r.ReservePrice is not null, r.ReservePrice is null || r.Price >= r.ReservePrice,
        showReserve ? r.ReservePrice : null, Utc(r.StartsMs), Utc(r.EndsMs), Utc(r.MaxEndMs), r.ExtendWithinMs / 1000, r.ExtendByMs / 1000,
        r.Winner, r.Sold != 0, r.SettledMs is { } settled ? Utc(settled) : null, Utc(r.CreatedMs));
}
