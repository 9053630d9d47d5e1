using Hubbub.Storage.Migrations;

namespace Hubbub.Features.Auctions;

/// <summary>
/// The auctions tables. An auction's <c>status</c> is what settled it (<c>open</c> until the end job or a cancel);
/// whether an open one is scheduled, live or past its end follows from the clock. Bids never fall, so the highest bid is
/// also the newest (see migration 2). Times are Unix milliseconds.
/// </summary>
internal static class AuctionsSchema
{
    public static void Declare(MigrationSet m) => m
        .Add(1, "auctions and bids",
            sqlite: Tables("INTEGER PRIMARY KEY"),
            postgres: Tables("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"))
        // Proxy bidding: the leader's maximum (private: never shown but to its bidder) and automatic bids. A proxy's
        // answer may equal the bid it answers (ties go to the earlier maximum), so amounts no longer have to differ;
        // they still never fall, and among equal amounts the later bid is the leader's answer.
        .Add(2, "proxy bidding",
            sqlite: """
                ALTER TABLE auctions ADD COLUMN leader_max BIGINT NULL;
                CREATE TABLE auction_bids_v2 (
                    id         INTEGER PRIMARY KEY,
                    auction_id TEXT    NOT NULL REFERENCES auctions (id),
                    user_id    TEXT    NOT NULL,
                    user_name  TEXT    NOT NULL,
                    amount     BIGINT  NOT NULL,
                    created_ms BIGINT  NOT NULL,
                    auto       INTEGER NOT NULL DEFAULT 0,
                    CONSTRAINT auction_bids_positive CHECK (amount > 0));
                INSERT INTO auction_bids_v2 (id, auction_id, user_id, user_name, amount, created_ms)
                    SELECT id, auction_id, user_id, user_name, amount, created_ms FROM auction_bids;
                DROP TABLE auction_bids;
                ALTER TABLE auction_bids_v2 RENAME TO auction_bids;
                CREATE INDEX auction_bids_by_auction ON auction_bids (auction_id, id);
                """,
            postgres: """
                ALTER TABLE auctions ADD COLUMN leader_max BIGINT NULL;
                ALTER TABLE auction_bids DROP CONSTRAINT auction_bids_rise;
                ALTER TABLE auction_bids ADD COLUMN auto INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX auction_bids_by_auction ON auction_bids (auction_id, id);
                """);

    private static string Tables(string identity) => $"""
        CREATE TABLE auctions (
            id               TEXT    PRIMARY KEY,
            seller           TEXT    NOT NULL,
            seller_name      TEXT    NOT NULL,
            title            TEXT    NOT NULL,
            description      TEXT    NULL,
            currency         TEXT    NOT NULL,
            starting_bid     BIGINT  NOT NULL,
            min_increment    BIGINT  NOT NULL,
            reserve_price    BIGINT  NULL,
            starts_ms        BIGINT  NOT NULL,
            ends_ms          BIGINT  NOT NULL,
            max_end_ms       BIGINT  NOT NULL,
            extend_within_ms BIGINT  NOT NULL,
            extend_by_ms     BIGINT  NOT NULL,
            status           TEXT    NOT NULL,
            price            BIGINT  NULL,
            leader           TEXT    NULL,
            leader_name      TEXT    NULL,
            bid_count        BIGINT  NOT NULL DEFAULT 0,
            winner           TEXT    NULL,
            sold             INTEGER NOT NULL DEFAULT 0,
            settled_ms       BIGINT  NULL,
            created_ms       BIGINT  NOT NULL,
            CONSTRAINT auctions_status CHECK (status IN ('open', 'ended', 'cancelled')),
            CONSTRAINT auctions_amounts CHECK (starting_bid > 0 AND min_increment > 0 AND (price IS NULL OR price >= starting_bid)),
            CONSTRAINT auctions_times CHECK (starts_ms < ends_ms AND ends_ms <= max_end_ms));
        CREATE INDEX auctions_by_status_end ON auctions (status, ends_ms);
        CREATE INDEX auctions_by_created ON auctions (created_ms, id);
        CREATE TABLE auction_bids (
            id         {identity},
            auction_id TEXT   NOT NULL REFERENCES auctions (id),
            user_id    TEXT   NOT NULL,
            user_name  TEXT   NOT NULL,
            amount     BIGINT NOT NULL,
            created_ms BIGINT NOT NULL,
            CONSTRAINT auction_bids_positive CHECK (amount > 0),
            CONSTRAINT auction_bids_rise UNIQUE (auction_id, amount));
        """;
}
