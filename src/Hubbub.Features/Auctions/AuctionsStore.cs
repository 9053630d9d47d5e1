using Hubbub.Storage;

namespace Hubbub.Features.Auctions;

/// <summary>The auctions SQL, portable between SQLite and PostgreSQL; every method runs in the caller's transaction.</summary>
internal static class AuctionsStore
{
    private const string Columns =
        "a.id AS Id, a.seller AS Seller, a.seller_name AS SellerName, a.title AS Title, a.description AS Description, a.currency AS Currency, " +
        "a.starting_bid AS StartingBid, a.min_increment AS MinIncrement, a.reserve_price AS ReservePrice, a.starts_ms AS StartsMs, " +
        "a.ends_ms AS EndsMs, a.max_end_ms AS MaxEndMs, a.extend_within_ms AS ExtendWithinMs, a.extend_by_ms AS ExtendByMs, a.status AS Status, " +
        "a.price AS Price, a.leader AS Leader, a.leader_name AS LeaderName, a.leader_max AS LeaderMax, a.bid_count AS BidCount, a.winner AS Winner, a.sold AS Sold, a.settled_ms AS SettledMs, " +
        "a.created_ms AS CreatedMs";

    private const string BidColumns =
        "b.id AS Id, b.auction_id AS AuctionId, b.user_id AS UserId, b.user_name AS UserName, b.amount AS Amount, b.created_ms AS CreatedMs, b.auto AS Auto";

    public static Task InsertAsync(DatabaseTransaction tx, AuctionRow a, CancellationToken ct) =>
        tx.ExecuteAsync(
            """
            INSERT INTO auctions (id, seller, seller_name, title, description, currency, starting_bid, min_increment, reserve_price,
                starts_ms, ends_ms, max_end_ms, extend_within_ms, extend_by_ms, status, created_ms)
            VALUES (@Id, @Seller, @SellerName, @Title, @Description, @Currency, @StartingBid, @MinIncrement, @ReservePrice,
                @StartsMs, @EndsMs, @MaxEndMs, @ExtendWithinMs, @ExtendByMs, @Status, @CreatedMs)
            """, a, ct);

    public static Task<AuctionRow?> FindAsync(DatabaseTransaction tx, string id, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<AuctionRow>($"SELECT {Columns} FROM auctions a WHERE a.id = @id", new { id }, ct);

    /// <summary>
    /// The auction, its row locked until the transaction ends (PostgreSQL; SQLite's write lock already serializes):
    /// every bid, cancel and end of one auction queues here, so they happen one after another.
    /// </summary>
    public static Task<AuctionRow?> LockAsync(DatabaseTransaction tx, string id, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<AuctionRow>($"SELECT {Columns} FROM auctions a WHERE a.id = @id{tx.ForUpdate}", new { id }, ct);

    public static Task<long> InsertBidAsync(DatabaseTransaction tx, string auction, string user, string name, long amount, bool auto, long now,
        CancellationToken ct) =>
        tx.QuerySingleAsync<long>(
            """
            INSERT INTO auction_bids (auction_id, user_id, user_name, amount, auto, created_ms)
            VALUES (@auction, @user, @name, @amount, @auto, @now) RETURNING id
            """, new { auction, user, name, amount, auto = auto ? 1 : 0, now }, ct);

    /// <summary>Writes the auction's figures after a bid (<paramref name="added"/> the bids it recorded, 0 for a raised maximum).</summary>
    public static Task RecordBidAsync(DatabaseTransaction tx, string id, long price, string leader, string leaderName, long leaderMax, int added, long endsMs,
        CancellationToken ct) =>
        tx.ExecuteAsync(
            """
            UPDATE auctions SET price = @price, leader = @leader, leader_name = @leaderName, leader_max = @leaderMax, bid_count = bid_count + @added,
                ends_ms = @endsMs WHERE id = @id
            """, new { id, price, leader, leaderName, leaderMax, added, endsMs }, ct);

    /// <summary>The auction's newest bid (the leader's, since bids never fall and a proxy's answer comes after the bid it answers).</summary>
    public static Task<BidRow?> TopBidAsync(DatabaseTransaction tx, string auction, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<BidRow>($"SELECT {BidColumns} FROM auction_bids b WHERE b.auction_id = @auction ORDER BY b.id DESC LIMIT 1",
            new { auction }, ct);

    public static Task SettleAsync(DatabaseTransaction tx, string id, string status, string? winner, bool sold, long now, CancellationToken ct) =>
        tx.ExecuteAsync("UPDATE auctions SET status = @status, winner = @winner, sold = @sold, settled_ms = @now WHERE id = @id",
            new { id, status, winner, sold = sold ? 1 : 0, now }, ct);

    /// <summary>
    /// Bids of an auction, highest first (newest first among equal amounts: bids never fall, so that is newest first),
    /// older than the bid <paramref name="before"/> when given.
    /// </summary>
    public static async Task<List<BidRow>> BidsAsync(DatabaseTransaction tx, string auction, long? before, int limit, CancellationToken ct) =>
        (await tx.QueryAsync<BidRow>(
            $"""
            SELECT {BidColumns} FROM auction_bids b
            WHERE b.auction_id = @auction AND (@before IS NULL OR b.id < @before)
            ORDER BY b.id DESC LIMIT @limit
            """, new { auction, before, limit }, ct)).ToList();

    /// <summary>
    /// Auctions in a state at <paramref name="now"/> (null: any), newest first, older than the cursor
    /// (<paramref name="beforeMs"/>, <paramref name="beforeId"/>) when given.
    /// </summary>
    public static async Task<List<AuctionRow>> ListAsync(DatabaseTransaction tx, string? state, string? seller, long now, long? beforeMs, string? beforeId,
        int limit, CancellationToken ct)
    {
        var where = state switch
        {
            AuctionStates.Scheduled => "a.status = 'open' AND a.starts_ms > @now",
            AuctionStates.Live => "a.status = 'open' AND a.starts_ms <= @now AND a.ends_ms > @now",
            AuctionStates.Ended => "(a.status = 'ended' OR (a.status = 'open' AND a.ends_ms <= @now))",
            AuctionStates.Cancelled => "a.status = 'cancelled'",
            _ => "1 = 1",
        };
        return (await tx.QueryAsync<AuctionRow>(
            $"""
            SELECT {Columns} FROM auctions a
            WHERE {where} AND (@seller IS NULL OR a.seller = @seller)
              AND (@beforeMs IS NULL OR a.created_ms < @beforeMs OR (a.created_ms = @beforeMs AND a.id < @beforeId))
            ORDER BY a.created_ms DESC, a.id DESC LIMIT @limit
            """, new { now, seller, beforeMs, beforeId, limit }, ct)).ToList();
    }

    /// <summary>Open auctions not yet past their end, ending soonest first: the lobby.</summary>
    public static async Task<List<AuctionRow>> OpenAsync(DatabaseTransaction tx, long now, int limit, CancellationToken ct) =>
        (await tx.QueryAsync<AuctionRow>(
            $"SELECT {Columns} FROM auctions a WHERE a.status = 'open' AND a.ends_ms > @now ORDER BY a.ends_ms, a.id LIMIT @limit",
            new { now, limit }, ct)).ToList();
}
