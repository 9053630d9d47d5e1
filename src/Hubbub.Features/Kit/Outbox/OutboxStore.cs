using System.Globalization;
using Hubbub.Storage;

namespace Hubbub.Features.Kit.Outbox;

/// <summary>The outbox SQL, portable between SQLite and PostgreSQL.</summary>
internal static class OutboxStore
{
    private const string Columns = "id AS Id, kind AS Kind, channel AS Channel, event_type AS EventType, data AS Data, target_user AS TargetUser, attempts AS Attempts";

    /// <summary>Writes a row already claimed by the writing node (<paramref name="claim"/>), which publishes it after commit.</summary>
    public static Task<long> InsertAsync(DatabaseTransaction tx, OutboxRow row, string claim, long now, long claimedUntil, CancellationToken ct) =>
        tx.QuerySingleAsync<long>(
            """
            INSERT INTO kit_outbox (kind, channel, event_type, data, target_user, created_ms, claim, claimed_until_ms)
            VALUES (@Kind, @Channel, @EventType, @Data, @TargetUser, @now, @claim, @claimedUntil) RETURNING id
            """,
            new { row.Kind, row.Channel, row.EventType, row.Data, row.TargetUser, now, claim, claimedUntil }, ct);

    /// <summary>
    /// Writes several rows claimed like <see cref="InsertAsync"/> in one statement; answers their ids in the order of
    /// <paramref name="rows"/> (ids are assigned in the order of the VALUES list, so the sorted ids are the rows' ids).
    /// </summary>
    public static async Task<long[]> InsertAllAsync(DatabaseTransaction tx, IReadOnlyList<OutboxRow> rows, string claim, long now, long claimedUntil,
        CancellationToken ct)
    {
        var sql = new System.Text.StringBuilder(
            "INSERT INTO kit_outbox (kind, channel, event_type, data, target_user, created_ms, claim, claimed_until_ms) VALUES ");
        var parameters = new Dapper.DynamicParameters(new { now, claim, claimedUntil });
        for (var i = 0; i < rows.Count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            sql.Append(i == 0 ? "(" : ", (").Append("@k").Append(n).Append(", @c").Append(n).Append(", @e").Append(n).Append(", @d").Append(n)
                .Append(", @t").Append(n).Append(", @now, @claim, @claimedUntil)");
            parameters.Add("k" + n, rows[i].Kind);
            parameters.Add("c" + n, rows[i].Channel);
            parameters.Add("e" + n, rows[i].EventType);
            parameters.Add("d" + n, rows[i].Data);
            parameters.Add("t" + n, rows[i].TargetUser);
        }
        var ids = (await tx.QueryAsync<long>(sql.Append(" RETURNING id").ToString(), parameters, ct)).ToArray();
        Array.Sort(ids);
        return ids;
    }

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

    /// <summary>
    /// Writes publications of different channels, types and data in one statement per <see cref="EachChunk"/> rows,
    /// claimed like <see cref="InsertAsync"/>; answers their ids in the order given (ascending, so they publish in that
    /// order). For a write that publishes several events at once (gamification's effects of one event).
    /// </summary>
    public static async Task<List<long>> InsertEachAsync(DatabaseTransaction tx, IReadOnlyList<OutboxRow> rows, string claim, long now, long claimedUntil,
        CancellationToken ct)
    {
        var ids = new List<long>(rows.Count);
        foreach (var chunk in rows.Chunk(EachChunk))
        {
            var sql = new System.Text.StringBuilder("INSERT INTO kit_outbox (kind, channel, event_type, data, target_user, created_ms, claim, claimed_until_ms) VALUES ");
            var parameters = new Dapper.DynamicParameters(new { now, claim, claimedUntil });
            for (var i = 0; i < chunk.Length; i++)
            {
                sql.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ", ")}(@k{i}, @c{i}, @e{i}, @d{i}, @u{i}, @now, @claim, @claimedUntil)");
                parameters.Add($"k{i}", chunk[i].Kind);
                parameters.Add($"c{i}", chunk[i].Channel);
                parameters.Add($"e{i}", chunk[i].EventType);
                parameters.Add($"d{i}", chunk[i].Data);
                parameters.Add($"u{i}", chunk[i].TargetUser);
            }
            // Rows of one multi-row INSERT take ascending ids in the order written (SQLite's rowid, PostgreSQL's identity).
            ids.AddRange((await tx.QueryAsync<long>(sql.Append(" RETURNING id").ToString(), parameters, ct)).Order());
        }
        return ids;
    }

    /// <summary>Rows per statement of <see cref="InsertEachAsync"/> (5 parameters each, far under SQLite's limit).</summary>
    private const int EachChunk = 200;

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
        ids.Count == 0 ? Task.CompletedTask : database.InTransactionAsync(tx => tx.ExecuteAsync($"DELETE FROM kit_outbox WHERE id IN ({InList(ids)})", null, ct), ct);

    /// <summary>Counts a failure and hands the row back after <paramref name="retryAt"/>.</summary>
    public static Task FailAsync(IDatabase database, long id, long retryAt, string error, CancellationToken ct) =>
        database.InTransactionAsync(tx => tx.ExecuteAsync(
            "UPDATE kit_outbox SET attempts = attempts + 1, claim = NULL, claimed_until_ms = @retryAt, last_error = @error WHERE id = @id",
            new { id, retryAt, error = Truncate(error) }, ct), ct);

    /// <summary>Hands rows back unpublished (behind a failed one of the same channel, which keeps the order).</summary>
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
