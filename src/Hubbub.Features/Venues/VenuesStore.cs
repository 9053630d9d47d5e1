using Hubbub.Storage;

namespace Hubbub.Features.Venues;

/// <summary>The check-in SQL, portable between SQLite and PostgreSQL; every method runs in the caller's transaction.</summary>
internal static class VenuesStore
{
    private const string VenueColumns =
        "id AS Id, name AS Name, capacity AS Capacity, timezone AS Timezone, locations AS Locations, when_full AS WhenFull, created_ms AS CreatedMs";

    private const string VisitColumns =
        """
        id AS Id, venue_id AS VenueId, user_id AS UserId, location AS Location, checked_in_ms AS CheckedInMs,
        checked_out_ms AS CheckedOutMs, duration_s AS DurationS, auto AS Auto, over_capacity AS OverCapacity
        """;

    private const string DayColumns =
        "day AS Day, checkins AS Checkins, checkouts AS Checkouts, duration_sum_s AS DurationSumS, peak AS Peak, peak_ms AS PeakMs, last_present AS LastPresent";

    // ---- venues

    /// <summary>Creates the venue unless its id is taken (false then), also when another creator races for it.</summary>
    public static async Task<bool> TryInsertVenueAsync(DatabaseTransaction tx, VenueRow v, long now, CancellationToken ct) =>
        await tx.ExecuteAsync(
            """
            INSERT INTO venues (id, name, capacity, timezone, locations, when_full, created_ms, updated_ms)
            VALUES (@Id, @Name, @Capacity, @Timezone, @Locations, @WhenFull, @now, @now) ON CONFLICT (id) DO NOTHING
            """, new { v.Id, v.Name, v.Capacity, v.Timezone, v.Locations, v.WhenFull, now }, ct) == 1;

    /// <summary>The venue; with <paramref name="forUpdate"/> its row stays locked until the transaction ends (PostgreSQL),
    /// so check-ins and check-outs of one venue queue up (SQLite's one writer does the same).</summary>
    public static Task<VenueRow?> FindVenueAsync(DatabaseTransaction tx, string id, CancellationToken ct, bool forUpdate = false) =>
        tx.QuerySingleOrDefaultAsync<VenueRow>($"SELECT {VenueColumns} FROM venues WHERE id = @id{(forUpdate ? tx.ForUpdate : "")}", new { id }, ct);

    public static Task UpdateVenueAsync(DatabaseTransaction tx, VenueRow v, long now, CancellationToken ct) =>
        tx.ExecuteAsync(
            """
            UPDATE venues SET name = @Name, capacity = @Capacity, timezone = @Timezone, locations = @Locations, when_full = @WhenFull,
                updated_ms = @now WHERE id = @Id
            """, new { v.Id, v.Name, v.Capacity, v.Timezone, v.Locations, v.WhenFull, now }, ct);

    public static async Task<List<VenueRow>> VenuesAfterAsync(DatabaseTransaction tx, string after, int limit, CancellationToken ct) =>
        [.. await tx.QueryAsync<VenueRow>($"SELECT {VenueColumns} FROM venues WHERE id > @after ORDER BY id LIMIT @limit", new { after, limit }, ct)];

    public static async Task<bool> HasVisitsAsync(DatabaseTransaction tx, string venue, CancellationToken ct) =>
        await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM (SELECT 1 FROM venue_visits WHERE venue_id = @venue LIMIT 1) any_visit", new { venue }, ct) > 0;

    // ---- visits

    /// <summary>Members present: the open visits (the partial unique index holds exactly these rows).</summary>
    public static Task<long> CountOpenAsync(DatabaseTransaction tx, string venue, CancellationToken ct) =>
        tx.QuerySingleAsync<long>("SELECT COUNT(*) FROM venue_visits WHERE venue_id = @venue AND checked_out_ms IS NULL", new { venue }, ct);

    /// <summary>
    /// In one statement: the members present (<see cref="CountOpenAsync"/>) and <paramref name="user"/>'s open visit there
    /// (<see cref="FindOpenVisitAsync"/>), or null. Run after the venue's row is taken (so on PostgreSQL its snapshot
    /// already sees every check-in committed before this one).
    /// </summary>
    public static async Task<(long Present, VisitRow? Open)> PresenceAsync(DatabaseTransaction tx, string venue, string user, CancellationToken ct)
    {
        var row = await tx.QuerySingleAsync<PresenceRow>(
            """
            SELECT (SELECT COUNT(*) FROM venue_visits WHERE venue_id = @venue AND checked_out_ms IS NULL) AS Present,
                   v.id AS Id, v.location AS Location, v.checked_in_ms AS CheckedInMs, v.over_capacity AS OverCapacity
            FROM (SELECT 1 AS one) o LEFT JOIN venue_visits v ON v.venue_id = @venue AND v.user_id = @user AND v.checked_out_ms IS NULL
            """, new { venue, user }, ct);
        return (row.Present, row.Id is { } id
            ? new VisitRow { Id = id, VenueId = venue, UserId = user, Location = row.Location, CheckedInMs = row.CheckedInMs ?? 0, OverCapacity = row.OverCapacity ?? 0 }
            : null);
    }

    private sealed class PresenceRow
    {
        public long Present { get; set; }
        public long? Id { get; set; }
        public string? Location { get; set; }
        public long? CheckedInMs { get; set; }
        public long? OverCapacity { get; set; }
    }

    /// <summary>
    /// What a check-in or check-out decides on: the venue (null if unknown), the members present and
    /// <paramref name="user"/>'s open visit there (or null). On SQLite in one statement: the write already holds the one
    /// writer, so nothing changes between the reads. On PostgreSQL the venue's row is taken first (kept until the
    /// transaction ends, so changes of one venue queue up) and the rest is read after it, so that read's snapshot sees
    /// every change committed before this one.
    /// </summary>
    public static async Task<(VenueRow? Venue, long Present, VisitRow? Open)> VenueForChangeAsync(DatabaseTransaction tx, string venue, string user,
        CancellationToken ct)
    {
        if (tx.Provider == DatabaseProvider.Postgres)
        {
            if (await FindVenueAsync(tx, venue, ct, forUpdate: true) is not { } found)
            {
                return (null, 0, null);
            }
            var (present, open) = await PresenceAsync(tx, venue, user, ct);
            return (found, present, open);
        }
        var row = await tx.QuerySingleOrDefaultAsync<VenueChangeRow>(
            """
            SELECT v.id AS Id, v.name AS Name, v.capacity AS Capacity, v.timezone AS Timezone, v.locations AS Locations,
                   v.when_full AS WhenFull, v.created_ms AS CreatedMs,
                   (SELECT COUNT(*) FROM venue_visits c WHERE c.venue_id = @venue AND c.checked_out_ms IS NULL) AS Present,
                   o.id AS OpenId, o.location AS OpenLocation, o.checked_in_ms AS OpenCheckedInMs, o.over_capacity AS OpenOverCapacity
            FROM venues v LEFT JOIN venue_visits o ON o.venue_id = v.id AND o.user_id = @user AND o.checked_out_ms IS NULL
            WHERE v.id = @venue
            """, new { venue, user }, ct);
        if (row is null)
        {
            return (null, 0, null);
        }
        return (row, row.Present, row.OpenId is { } id
            ? new VisitRow
            {
                Id = id, VenueId = venue, UserId = user, Location = row.OpenLocation, CheckedInMs = row.OpenCheckedInMs ?? 0,
                OverCapacity = row.OpenOverCapacity ?? 0,
            }
            : null);
    }

    // The venue's columns, then the count present and the member's open visit, read in one statement.
    private sealed class VenueChangeRow : VenueRow
    {
        public long Present { get; set; }
        public long? OpenId { get; set; }
        public string? OpenLocation { get; set; }
        public long? OpenCheckedInMs { get; set; }
        public long? OpenOverCapacity { get; set; }
    }

    public static Task<VisitRow?> FindOpenVisitAsync(DatabaseTransaction tx, string venue, string user, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<VisitRow>(
            $"SELECT {VisitColumns} FROM venue_visits WHERE venue_id = @venue AND user_id = @user AND checked_out_ms IS NULL", new { venue, user }, ct);

    public static Task<VisitRow?> FindVisitAsync(DatabaseTransaction tx, long id, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<VisitRow>($"SELECT {VisitColumns} FROM venue_visits WHERE id = @id", new { id }, ct);

    public static Task<long> InsertVisitAsync(DatabaseTransaction tx, string venue, string user, string? location, long now, bool overCapacity,
        CancellationToken ct) =>
        tx.QuerySingleAsync<long>(
            """
            INSERT INTO venue_visits (venue_id, user_id, location, checked_in_ms, over_capacity)
            VALUES (@venue, @user, @location, @now, @over) RETURNING id
            """, new { venue, user, location, now, over = overCapacity ? 1 : 0 }, ct);

    /// <summary>Ends an open visit; false when it had already ended.</summary>
    public static async Task<bool> CloseVisitAsync(DatabaseTransaction tx, long id, long outMs, long durationS, bool auto, CancellationToken ct) =>
        await tx.ExecuteAsync(
            "UPDATE venue_visits SET checked_out_ms = @outMs, duration_s = @durationS, auto = @auto WHERE id = @id AND checked_out_ms IS NULL",
            new { id, outMs, durationS, auto = auto ? 1 : 0 }, ct) == 1;

    /// <summary>A member's visits, newest first, below <paramref name="before"/>.</summary>
    public static async Task<List<VisitRow>> VisitsOfAsync(DatabaseTransaction tx, string user, long before, int limit, CancellationToken ct) =>
        [.. await tx.QueryAsync<VisitRow>(
            $"SELECT {VisitColumns} FROM venue_visits WHERE user_id = @user AND id < @before ORDER BY id DESC LIMIT @limit",
            new { user, before, limit }, ct)];

    /// <summary>
    /// A venue's check-ins and check-outs, newest first, before the position (<paramref name="atMs"/>, <paramref name="seq"/>)
    /// where seq is 2 × visit id, + 1 for a check-out: each side reads at most <paramref name="limit"/> rows from its index.
    /// </summary>
    public static async Task<List<ActivityRow>> ActivityAsync(DatabaseTransaction tx, string venue, long atMs, long seq, int limit, CancellationToken ct) =>
        [.. await tx.QueryAsync<ActivityRow>(
            """
            SELECT * FROM (
                SELECT v.id AS Visit, 0 AS IsOut, v.user_id AS UserId, COALESCE(u.name, v.user_id) AS Name, v.location AS Location,
                       v.checked_in_ms AS AtMs, CAST(NULL AS BIGINT) AS DurationS, 0 AS Auto
                FROM venue_visits v LEFT JOIN kit_users u ON u.id = v.user_id
                WHERE v.venue_id = @venue AND (v.checked_in_ms < @atMs OR (v.checked_in_ms = @atMs AND v.id * 2 < @seq))
                ORDER BY v.checked_in_ms DESC, v.id DESC LIMIT @limit) ins
            UNION ALL
            SELECT * FROM (
                SELECT v.id AS Visit, 1 AS IsOut, v.user_id AS UserId, COALESCE(u.name, v.user_id) AS Name, v.location AS Location,
                       v.checked_out_ms AS AtMs, v.duration_s AS DurationS, v.auto AS Auto
                FROM venue_visits v LEFT JOIN kit_users u ON u.id = v.user_id
                WHERE v.venue_id = @venue AND v.checked_out_ms IS NOT NULL
                  AND (v.checked_out_ms < @atMs OR (v.checked_out_ms = @atMs AND v.id * 2 + 1 < @seq))
                ORDER BY v.checked_out_ms DESC, v.id DESC LIMIT @limit) outs
            ORDER BY AtMs DESC, Visit DESC, IsOut DESC LIMIT @limit
            """, new { venue, atMs, seq, limit }, ct)];

    // ---- days

    /// <summary>
    /// Counts one check-in (<paramref name="delta"/> 1) or check-out (-1, with its duration) on local day <paramref name="day"/>
    /// and answers the day's row as it is now, in one statement. The day's first change creates its row as if it had held
    /// the members present before it (those carried over from the day before, present since <paramref name="dayStartMs"/>)
    /// as its starting peak, and then counted the change.
    /// </summary>
    public static Task<DayRow> RecordAsync(DatabaseTransaction tx, string venue, string day, long dayStartMs, long presentBefore, int delta,
        long durationS, long now, CancellationToken ct) =>
        // Every right-hand side of the update reads the row as it was: peak_ms compares against the old peak.
        tx.QuerySingleAsync<DayRow>(
            $"""
            INSERT INTO venue_days (venue_id, day, checkins, checkouts, duration_sum_s, peak, peak_ms, last_present)
            VALUES (@venue, @day, @ins, @outs, @durationS,
                CASE WHEN @after > @presentBefore THEN @after ELSE @presentBefore END,
                CASE WHEN @after > @presentBefore THEN @now WHEN @presentBefore > 0 THEN @dayStartMs ELSE NULL END,
                @after)
            ON CONFLICT (venue_id, day) DO UPDATE SET
                checkins = venue_days.checkins + excluded.checkins, checkouts = venue_days.checkouts + excluded.checkouts,
                duration_sum_s = venue_days.duration_sum_s + excluded.duration_sum_s,
                last_present = excluded.last_present,
                peak_ms = CASE WHEN excluded.last_present > venue_days.peak THEN @now ELSE venue_days.peak_ms END,
                peak = CASE WHEN excluded.last_present > venue_days.peak THEN excluded.last_present ELSE venue_days.peak END
            RETURNING {DayColumns}
            """, new { venue, day, ins = delta > 0 ? 1 : 0, outs = delta < 0 ? 1 : 0, durationS, presentBefore, after = presentBefore + delta, now, dayStartMs },
            ct);

    public static Task<DayRow?> FindDayAsync(DatabaseTransaction tx, string venue, string day, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<DayRow>($"SELECT {DayColumns} FROM venue_days WHERE venue_id = @venue AND day = @day", new { venue, day }, ct);

    /// <summary>The rows of days <paramref name="from"/> to <paramref name="to"/>, oldest first.</summary>
    public static async Task<List<DayRow>> DaysAsync(DatabaseTransaction tx, string venue, string from, string to, CancellationToken ct) =>
        [.. await tx.QueryAsync<DayRow>(
            $"SELECT {DayColumns} FROM venue_days WHERE venue_id = @venue AND day >= @from AND day <= @to ORDER BY day", new { venue, from, to }, ct)];

    /// <summary>The latest row before day <paramref name="day"/>, or null.</summary>
    public static Task<DayRow?> LastDayBeforeAsync(DatabaseTransaction tx, string venue, string day, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<DayRow>(
            $"SELECT {DayColumns} FROM venue_days WHERE venue_id = @venue AND day < @day ORDER BY day DESC LIMIT 1", new { venue, day }, ct);
}
