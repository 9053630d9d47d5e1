using Hubbub.Storage;

namespace Hubbub.Features.Kit.Notifications;

/// <summary>
/// On SQLite, the keyed notifications that replace an unread one are appended to <c>kit_notifications_log</c> (kit
/// migration 5) in the writing transaction instead of updating their (user, key) row of <c>kit_notifications_keyed</c>
/// in place, and merged into those rows later, in bulk, by <see cref="NotificationLogMerger"/>. Why: each row updated in
/// place is on a page of its own (one user's rows among ~1,500 pages), so an event that passes ten users wrote ten
/// pages to the write-ahead log for its notices; appended, a commit's notices share the log's last page or two, and a
/// merge of many events' notices shares the keyed table's pages among them (docs/performance.md, "the `overtaken`
/// notices appended to a log").
/// <para>
/// The invariant every read relies on: <b>a log row's (user, key) always has a row in <c>kit_notifications_keyed</c>,
/// with a smaller id</b>. Only a notification whose key already has an unread row is appended (the others are inserted
/// into the keyed table as before, which also keeps the inbox's count and bound exact at once); and everything that
/// removes keyed rows of a user (mark read, withdraw, the bound) first merges that user's log rows
/// (<see cref="MergeUserAsync"/>). So the unread keyed notifications of a user are their keyed rows, each shown as the
/// newest log row of its key when there is one (<see cref="UnreadKeyed"/>): counts need the keyed table alone, and the
/// merge changes no answer. The merge is idempotent (a row is only ever replaced by a newer id) and runs in one
/// transaction with the deletion of what it merged, so a crash before, during or after it loses or doubles nothing.
/// PostgreSQL keeps updating in place (its writers run concurrently, each on its own pages; its log stays empty).
/// </para>
/// </summary>
internal static class NotificationLog
{
    /// <summary>
    /// The unread keyed notifications of <c>@user</c> as the inbox shows them (columns <c>id, user_id, replaces, type,
    /// data, created_ms</c>): each keyed row, or the newest log row of its key. The log has no index (each would be a
    /// random page per notice again): it is scanned, and the merger keeps it to about a second of notices.
    /// </summary>
    public const string UnreadKeyed = """
        (SELECT COALESCE(l.id, k.id) AS id, k.user_id AS user_id, k.replaces AS replaces, COALESCE(l.type, k.type) AS type,
                COALESCE(l.data, k.data) AS data, COALESCE(l.created_ms, k.created_ms) AS created_ms
         FROM kit_notifications_keyed k
         LEFT JOIN (SELECT g.replaces, g.id, g.type, g.data, g.created_ms,
                           ROW_NUMBER() OVER (PARTITION BY g.replaces ORDER BY g.id DESC) AS newest
                    FROM kit_notifications_log g WHERE g.user_id = @user) l ON l.replaces = k.replaces AND l.newest = 1
         WHERE k.user_id = @user)
        """;

    /// <summary>
    /// Appends the keyed rows (the JSON array of <c>NotificationStore.KeyedRowsJson</c>) whose (user, key) has an unread
    /// row, in the array's order; answers how many. The rest are for the keyed table's insert.
    /// </summary>
    public static Task<int> AppendReplacingAsync(DatabaseTransaction tx, string rows, long now, CancellationToken ct) =>
        tx.ExecuteAsync(
            """
            INSERT INTO kit_notifications_log (user_id, replaces, id, type, data, created_ms)
            SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'),
                   json_extract(j.value, '$[4]'), @now
            FROM json_each(@rows) j
            WHERE EXISTS (SELECT 1 FROM kit_notifications_keyed k
                          WHERE k.user_id = json_extract(j.value, '$[0]') AND k.replaces = json_extract(j.value, '$[1]'))
            ORDER BY j.key
            """, new { rows, now }, ct);

    /// <summary>
    /// Merges the log's rows of <paramref name="user"/> into their keyed rows and deletes them: before anything removes
    /// keyed rows of that user (the invariant above). No-op on PostgreSQL.
    /// </summary>
    public static async Task MergeUserAsync(DatabaseTransaction tx, string user, CancellationToken ct)
    {
        if (tx.Provider == DatabaseProvider.Sqlite)
        {
            await tx.ExecuteAsync(Merge("WHERE user_id = @user") + "DELETE FROM kit_notifications_log WHERE user_id = @user;", new { user }, ct);
        }
    }

    /// <summary>
    /// Merges the log's oldest rows, at most <paramref name="limit"/>, into their keyed rows and deletes them, in one
    /// transaction; answers how many were merged (fewer than the limit: the log is empty now).
    /// </summary>
    public static Task<int> MergeOldestAsync(IDatabase database, int limit, CancellationToken ct) =>
        database.InTransactionAsync(async tx =>
        {
            var last = await tx.ExecuteScalarAsync<long?>(
                "SELECT MAX(seq) FROM (SELECT seq FROM kit_notifications_log ORDER BY seq LIMIT @limit) s", new { limit }, ct);
            if (last is not { } upTo)
            {
                return 0;
            }
            await tx.ExecuteAsync(Merge("WHERE seq <= @upTo"), new { upTo }, ct);
            return await tx.ExecuteAsync("DELETE FROM kit_notifications_log WHERE seq <= @upTo", new { upTo }, ct);
        }, ct);

    /// <summary>How many rows wait in the log (tests, diagnostics).</summary>
    public static Task<long> CountAsync(DatabaseTransaction tx, CancellationToken ct) =>
        tx.QuerySingleAsync<long>("SELECT COUNT(*) FROM kit_notifications_log", null, ct);

    /// <summary>
    /// The merge of the log rows <paramref name="where"/> selects: each keyed row takes the newest of them (a row is only
    /// replaced by a larger id, so merging twice, or rows older than the keyed row, changes nothing). In (user, key)
    /// order, so the rows of one keyed page are written together. A key without a keyed row (never, by the invariant)
    /// would be inserted, not lost.
    /// </summary>
    private static string Merge(string where) => $"""
        INSERT INTO kit_notifications_keyed (user_id, replaces, id, type, data, created_ms)
        SELECT user_id, replaces, id, type, data, created_ms FROM kit_notifications_log {where} ORDER BY user_id, replaces, id
        ON CONFLICT (user_id, replaces) DO UPDATE SET id = excluded.id, type = excluded.type, data = excluded.data,
           created_ms = excluded.created_ms, replaced = kit_notifications_keyed.replaced + 1
         WHERE excluded.id > kit_notifications_keyed.id;

        """;
}
