using Hubbub.Storage.Migrations;

namespace Hubbub.Features.Venues;

/// <summary>
/// The check-in tables. Times are Unix milliseconds. <c>venue_visits</c> is the one source of truth: who is present is
/// the count of its open rows, which a unique partial index keeps to one per member and venue (so two nodes checking
/// one member in at once cannot both succeed). <c>venue_days</c> keeps each local day's counters, written in the same
/// transaction as the visit they count (a recount from the visits gives the same numbers; tests check that).
/// </summary>
internal static class VenuesSchema
{
    // venue_visits_by_out keeps the open visits' NULL entries on purpose: SQLite counts those present through it (a
    // covering search of open visits only). Made partial (ended visits only), the count went through venue_visits_by_in,
    // over every visit ever made (measured: more CPU per check-in after a few thousand visits), so it stays as it is.

    public static void Declare(MigrationSet m) => m
        .Add(1, "venues, visits and days",
            sqlite: Tables("INTEGER PRIMARY KEY"),
            postgres: Tables("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"));

    private static string Tables(string identity) => $"""
        CREATE TABLE venues (
            id         TEXT    PRIMARY KEY,
            name       TEXT    NOT NULL,
            capacity   INTEGER NOT NULL,
            timezone   TEXT    NOT NULL,
            locations  TEXT    NOT NULL,
            when_full  TEXT    NULL,
            created_ms BIGINT  NOT NULL,
            updated_ms BIGINT  NOT NULL);
        CREATE TABLE venue_visits (
            id             {identity},
            venue_id       TEXT    NOT NULL REFERENCES venues (id),
            user_id        TEXT    NOT NULL,
            location       TEXT    NULL,
            checked_in_ms  BIGINT  NOT NULL,
            checked_out_ms BIGINT  NULL,
            duration_s     BIGINT  NULL,
            auto           INTEGER NOT NULL DEFAULT 0,
            over_capacity  INTEGER NOT NULL DEFAULT 0);
        CREATE UNIQUE INDEX venue_visits_open ON venue_visits (venue_id, user_id) WHERE checked_out_ms IS NULL;
        CREATE INDEX venue_visits_by_in ON venue_visits (venue_id, checked_in_ms);
        CREATE INDEX venue_visits_by_out ON venue_visits (venue_id, checked_out_ms);
        CREATE INDEX venue_visits_by_user ON venue_visits (user_id, id);
        CREATE TABLE venue_days (
            venue_id       TEXT   NOT NULL REFERENCES venues (id),
            day            TEXT   NOT NULL,
            checkins       BIGINT NOT NULL DEFAULT 0,
            checkouts      BIGINT NOT NULL DEFAULT 0,
            duration_sum_s BIGINT NOT NULL DEFAULT 0,
            peak           BIGINT NOT NULL DEFAULT 0,
            peak_ms        BIGINT NULL,
            last_present   BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (venue_id, day));
        """;
}
