using System.Globalization;
using Hubbub.Storage;

namespace Hubbub.Features.Kit.Outbox;

/// <summary>The outbox SQL, portable between SQLite and PostgreSQL.</summary>
internal static class OutboxStore
{
    private const string Columns = "id AS Id, kind AS Kind, channel AS Channel, event_type AS EventType, data AS Data, target_user AS TargetUser, attempts AS Attempts";

    /// <summary>
    /// Writes <paramref name="row"/> (one publication, or a transaction's publications as one <see cref="OutboxRow.Batch"/>
    /// row), already claimed by the writing node (<paramref name="claim"/>, until <paramref name="claimedUntil"/>), which
    /// publishes it after the commit, and sets its id. Ids grow with each insert on both engines, so a crashed node's rows,
    /// published by id, keep the order they were written in.
    /// </summary>
    public static async Task InsertAsync(DatabaseTransaction tx, OutboxRow row, string claim, long now, long claimedUntil, CancellationToken ct) =>
        row.Id = await tx.QuerySingleAsync<long>(Insert, new { row.Kind, row.Channel, row.EventType, row.Data, row.TargetUser, now, claim, claimedUntil }, ct);

    /// <summary>
    /// Writes a <see cref="OutboxRow.Batch"/> row holding <paramref name="entries"/> (their JSON array,
    /// <see cref="OutboxEntries"/>), claimed like <see cref="InsertAsync"/>. On SQLite the array is written as UTF-8 and
    /// bound as bytes, cast to text by the statement in the database's encoding, UTF-8 (the column holds the same text; a
    /// string parameter would be encoded to UTF-8 again, a copy of the row's size per transaction); PostgreSQL, which
    /// takes text, gets the array written as text at once.
    /// </summary>
    public static async Task InsertBatchAsync(DatabaseTransaction tx, OutboxRow row, IReadOnlyList<OutboxRow> entries, string claim, long now,
        long claimedUntil, CancellationToken ct) =>
        row.Id = tx.Provider == DatabaseProvider.Postgres
            ? await tx.QuerySingleAsync<long>(InsertBatch, new { Data = OutboxEntries.Write(entries), now, claim, claimedUntil }, ct)
            : await tx.QuerySingleAsync<long>(InsertBatch, new { Data = OutboxEntries.WriteUtf8(entries), now, claim, claimedUntil }, ct);

    // A batch row's kind, channel, type and user are fixed (OutboxRow.Batch): written as literals, four parameters fewer to bind.
    private const string InsertBatch = $"""
        INSERT INTO kit_outbox (kind, channel, event_type, data, target_user, created_ms, claim, claimed_until_ms)
        VALUES ('{OutboxRow.Batch}', '', NULL, CAST(@Data AS TEXT), NULL, @now, @claim, @claimedUntil) RETURNING id
        """;

    private const string Insert = """
        INSERT INTO kit_outbox (kind, channel, event_type, data, target_user, created_ms, claim, claimed_until_ms)
        VALUES (@Kind, @Channel, @EventType, @Data, @TargetUser, @now, @claim, @claimedUntil) RETURNING id
        """;

    /// <summary>
    /// Writes the same publication for each of <paramref name="channels"/> (distinct) in one statement, claimed like
    /// <see cref="InsertAsync"/>; answers each channel's row id. A fan-out to a thousand channels is one round trip
    /// instead of a thousand: the channels go as one array (PostgreSQL) or one JSON array (SQLite).
    /// </summary>
    public static async Task<Dictionary<string, long>> InsertManyAsync(DatabaseTransaction tx, IReadOnlyList<string> channels, string eventType,
        string data, string claim, long now, long claimedUntil, CancellationToken ct)
    {
        var source = tx.Provider == DatabaseProvider.Postgres
            ? "unnest(CAST(@channels AS text[])) AS c(value)"
            : "json_each(@channels) AS c";
        var array = channels.ToArray();
        object list = tx.Provider == DatabaseProvider.Postgres ? array : System.Text.Json.JsonSerializer.Serialize(array, KitJsonContext.Default.StringArray);
        var rows = await tx.QueryAsync<ChannelId>(
            $"""
            INSERT INTO kit_outbox (kind, channel, event_type, data, target_user, created_ms, claim, claimed_until_ms)
            SELECT '{OutboxRow.Publish}', c.value, @eventType, @data, NULL, @now, @claim, @claimedUntil FROM {source}
            RETURNING id AS Id, channel AS Channel
            """, new { channels = list, eventType, data, now, claim, claimedUntil }, ct);
        return rows.ToDictionary(r => r.Channel, r => r.Id, StringComparer.Ordinal);
    }


    private sealed class ChannelId
    {
        public long Id { get; set; }
        public string Channel { get; set; } = "";
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> rows whose claim expired (a crashed node's, or released after a failure),
    /// oldest first. The condition is repeated outside the subquery so that on PostgreSQL a row another node claimed
    /// meanwhile is re-checked and skipped: each row is claimed by one node at a time.
    /// </summary>
    public static async Task<List<OutboxRow>> ClaimAsync(IDatabase database, string claim, long now, long until, int limit, CancellationToken ct)
    {
        // A read first, which takes no write lock: most sweeps find nothing, and must not queue behind writers for that.
        if (!await KitClaims.AnyClaimableAsync(database, "kit_outbox", "claimed_until_ms <= @now", now, ct))
        {
            return [];
        }
        return await database.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync(
                """
                UPDATE kit_outbox SET claim = @claim, claimed_until_ms = @until
                WHERE claimed_until_ms <= @now
                  AND id IN (SELECT id FROM kit_outbox WHERE claimed_until_ms <= @now ORDER BY id LIMIT @limit)
                """, new { claim, now, until, limit }, ct);
            return (await tx.QueryAsync<OutboxRow>($"SELECT {Columns} FROM kit_outbox WHERE claim = @claim ORDER BY id", new { claim }, ct)).ToList();
        }, ct);
    }

    public static Task DeleteAsync(IDatabase database, IReadOnlyCollection<long> ids, CancellationToken ct) =>
        ids.Count == 0 ? Task.CompletedTask : database.InTransactionAsync(async tx =>
        {
            foreach (var chunk in ids.Chunk(DeleteChunk))
            {
                await tx.ExecuteAsync($"DELETE FROM kit_outbox WHERE id IN ({InList(chunk)})", null, ct);
            }
        }, ct);

    /// <summary>Rows deleted by one statement of <see cref="DeleteAsync"/> (one transaction deletes any number).</summary>
    internal const int DeleteChunk = 500;

    /// <summary>
    /// Counts a failure and hands the row back after <paramref name="retryAt"/>; a batch row with <paramref name="data"/>,
    /// the entries it still owes (those published are gone from it).
    /// </summary>
    public static Task FailAsync(IDatabase database, long id, string? data, long retryAt, string error, CancellationToken ct) =>
        database.InTransactionAsync(tx => tx.ExecuteAsync(
            """
            UPDATE kit_outbox SET attempts = attempts + 1, claim = NULL, claimed_until_ms = @retryAt, last_error = @error,
                data = COALESCE(@data, data)
            WHERE id = @id
            """, new { id, data, retryAt, error = Truncate(error) }, ct), ct);

    /// <summary>Hands a batch row back unpublished at <paramref name="at"/>, holding only <paramref name="data"/> (what it still owes).</summary>
    public static Task ReleaseAsync(IDatabase database, long id, string data, long at, CancellationToken ct) =>
        database.InTransactionAsync(tx => tx.ExecuteAsync(
            "UPDATE kit_outbox SET claim = NULL, claimed_until_ms = @at, data = @data WHERE id = @id", new { id, data, at }, ct), ct);

    /// <summary>Hands rows back unpublished at <paramref name="at"/> (behind a failed one of the same channel, which keeps the order).</summary>
    public static Task ReleaseAsync(IDatabase database, IReadOnlyCollection<long> ids, long at, CancellationToken ct) =>
        ids.Count == 0 ? Task.CompletedTask : database.InTransactionAsync(tx => tx.ExecuteAsync(
            $"UPDATE kit_outbox SET claim = NULL, claimed_until_ms = @at WHERE id IN ({InList(ids)})", new { at }, ct), ct);

    /// <summary>How many rows wait, and when the earliest claim on them expires.</summary>
    public static Task<(long Count, long? NextMs)> PendingAsync(IDatabase database, CancellationToken ct) =>
        database.ReadAsync(async tx =>
        {
            var row = await tx.QuerySingleAsync<PendingRow>("SELECT COUNT(*) AS Count, MIN(claimed_until_ms) AS NextMs FROM kit_outbox", null, ct);
            return (row.Count, row.NextMs);
        }, ct);

    private sealed class PendingRow
    {
        public long Count { get; set; }
        public long? NextMs { get; set; }
    }

    // Ids are longs the database generated, never client text, so inlining them is safe and keeps IN portable.
    internal static string InList(IEnumerable<long> ids) => string.Join(",", ids.Select(i => i.ToString(CultureInfo.InvariantCulture)));

    internal static string Truncate(string error) => error.Length <= 500 ? error : error[..500];
}
