using System.Globalization;
using System.Text;
using System.Text.Json;
using Hubbub.Features.Kit.Text;
using Hubbub.Storage;

namespace Hubbub.Features.Kit.Notifications;

/// <summary>
/// The notification SQL. A user's inbox is two tables: <c>kit_notifications</c>, one row per kept notification, and
/// <c>kit_notifications_keyed</c>, the unread notification of each (user, <c>replaces</c> key), one row updated in place
/// when a newer one of the key replaces it (kit migration 3; on SQLite the replacing one is first appended to a notice
/// log and merged in bulk later, <see cref="NotificationLog"/>). Ids come from one sequence for both, so the inbox is
/// ordered by id across them; every read and mark below covers both; a keyed row that is read moves into
/// <c>kit_notifications</c>, where it stays like any read notification. At most a configured number per user.
/// </summary>
internal static class NotificationStore
{
    private const string Columns = "id AS Id, type AS Type, data AS Data, created_ms AS CreatedMs, is_read AS IsRead";

    /// <summary>Keeps one notification (no key) and bounds its user's inbox: <see cref="InsertEachAsync"/> for one.</summary>
    public static async Task<NotificationView> InsertAsync(DatabaseTransaction tx, string user, string type, string data, long now, int keep,
        CancellationToken ct) =>
        (await InsertEachAsync(tx, [new NewNotification(user, type, data)], now, keep, ct)).Views[0];

    /// <summary>
    /// Keeps one notification per item, then bounds to the newest <paramref name="keep"/> every user named whose inbox
    /// grew. Ids are taken for all items first, ascending in the order given (one statement); the items without a key
    /// are inserted in one more; those with a <see cref="NewNotification.Replaces"/> key are written in one upsert of
    /// <c>kit_notifications_keyed</c>, each replacing its user's unread notification of that key in place (a later
    /// item of the same user and key in this call replaces an earlier one: that one is published, never stored).
    /// Answers the ids in the order given, and how many unread notifications were replaced.
    /// </summary>
    public static async Task<KeptNotifications> InsertEachAsync(DatabaseTransaction tx, IReadOnlyList<NewNotification> items,
        long now, int keep, CancellationToken ct)
    {
        if (tx.Provider == DatabaseProvider.Sqlite && items.All(i => i.Replaces is not null))
        {
            return await InsertKeyedSqliteAsync(tx, items, now, keep, ct);
        }
        var ids = await TakeIdsAsync(tx, items.Count, ct);
        var plain = new List<int>();
        var keyed = new Dictionary<(string User, string Key), int>();
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].Replaces is { } key)
            {
                keyed[(items[i].User, key)] = i; // the last of a user and key wins
            }
            else
            {
                plain.Add(i);
            }
        }
        await InsertPlainAsync(tx, items, ids, plain, now, ct);
        var (added, replaced) = await UpsertKeyedAsync(tx, items, ids, keyed, now, ct);
        replaced += items.Count(i => i.Replaces is not null) - keyed.Count; // replaced within this call
        // Only a user whose inbox grew can have passed the bound: one whose new notifications each replaced an unread one
        // (gamification's overtaken, most of the time) holds as many as before, which the bound already allowed.
        var grown = plain.Select(i => items[i].User).Concat(added).Distinct(StringComparer.Ordinal).ToList();
        await BoundAsync(tx, grown, keep, ct);
        return new KeptNotifications(ids, replaced, items, now);
    }

    /// <summary>
    /// <see cref="InsertEachAsync"/> on SQLite when every item has a key (gamification's <c>overtaken</c> notices): the ids
    /// taken, the replacing ones appended to the notice log and the rest inserted into the keyed table in one command of
    /// three statements instead of three commands (each command pays the driver's and Dapper's fixed cost on the one
    /// writer). The rows carry their index; each statement computes its id from the sequence the first one advanced.
    /// </summary>
    private static async Task<KeptNotifications> InsertKeyedSqliteAsync(DatabaseTransaction tx, IReadOnlyList<NewNotification> items, long now,
        int keep, CancellationToken ct)
    {
        var keyed = new Dictionary<(string User, string Key), int>();
        for (var i = 0; i < items.Count; i++)
        {
            keyed[(items[i].User, items[i].Replaces!)] = i; // the last of a user and key wins
        }
        var ordered = keyed.OrderBy(k => k.Key.User, CodePoints).ThenBy(k => k.Key.Key, CodePoints).ToList();
        var count = items.Count;
        var rows = KeyedRowsJson(items, null, ordered);
        var (last, inserted) = await tx.QueryTwoAsync<long, (string User, long Times)>(InsertKeyedSqlite, new { rows, now, count }, ct);
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = last - count + 1 + i;
        }
        // A row was appended to the log exactly when its (user, key) had an unread row, and inserted when it had none.
        var added = inserted.Where(r => r.Times == 0).Select(r => r.User).Distinct(StringComparer.Ordinal).ToList();
        var replaced = ordered.Count - inserted.Count + inserted.Count(r => r.Times > 0) + (count - keyed.Count);
        await BoundAsync(tx, added, keep, ct);
        return new KeptNotifications(ids, replaced, items, now);
    }

    // The id of a row is the sequence's new last id, less the count taken, plus the row's index (the rows' third field).
    private const string KeyedId = "(SELECT last_id FROM kit_sequences WHERE name = 'kit_notifications') - @count + 1 + json_extract(j.value, '$[2]')";

    private const string InsertKeyedSqlite =
        "UPDATE kit_sequences SET last_id = last_id + @count WHERE name = 'kit_notifications' RETURNING last_id;\n"
        + "INSERT INTO kit_notifications_log (user_id, replaces, id, type, data, created_ms)\n"
        + "SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), " + KeyedId + ", json_extract(j.value, '$[3]'),\n"
        + "       json_extract(j.value, '$[4]'), @now\n"
        + "FROM json_each(@rows) j\n"
        + "WHERE EXISTS (SELECT 1 FROM kit_notifications_keyed k\n"
        + "              WHERE k.user_id = json_extract(j.value, '$[0]') AND k.replaces = json_extract(j.value, '$[1]'))\n"
        + "ORDER BY j.key;\n"
        + "INSERT INTO kit_notifications_keyed (user_id, replaces, id, type, data, created_ms)\n"
        + "SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), " + KeyedId + ", json_extract(j.value, '$[3]'),\n"
        + "       json_extract(j.value, '$[4]'), @now\n"
        + "FROM json_each(@rows) j\n"
        + "WHERE NOT EXISTS (SELECT 1 FROM kit_notifications_keyed k\n"
        + "                  WHERE k.user_id = json_extract(j.value, '$[0]') AND k.replaces = json_extract(j.value, '$[1]'))\n"
        + "ON CONFLICT (user_id, replaces) DO UPDATE SET id = excluded.id, type = excluded.type, data = excluded.data,\n"
        + "   created_ms = excluded.created_ms, replaced = kit_notifications_keyed.replaced + 1\n"
        + "RETURNING user_id, replaced";

    /// <summary>
    /// Takes <paramref name="count"/> ids of the inbox's one sequence, ascending: on SQLite from <c>kit_sequences</c> (a
    /// row of the transaction like any other: a rolled-back transaction gives its ids back with its rows, and the one
    /// writer never lets two read it at once), on PostgreSQL from <c>kit_notifications</c>' identity sequence.
    /// </summary>
    private static async Task<long[]> TakeIdsAsync(DatabaseTransaction tx, int count, CancellationToken ct)
    {
        if (tx.Provider == DatabaseProvider.Postgres)
        {
            var taken = (await tx.QueryAsync<long>(
                """
                SELECT nextval(q.s::regclass) FROM generate_series(1, @count), (SELECT pg_get_serial_sequence('kit_notifications', 'id') AS s) q
                """, new { count }, ct)).ToArray();
            Array.Sort(taken);
            return taken;
        }
        var last = await tx.QuerySingleAsync<long>(
            "UPDATE kit_sequences SET last_id = last_id + @count WHERE name = 'kit_notifications' RETURNING last_id", new { count }, ct);
        return [.. Enumerable.Range(0, count).Select(i => last - count + 1 + i)];
    }

    private static async Task InsertPlainAsync(DatabaseTransaction tx, IReadOnlyList<NewNotification> items, long[] ids, List<int> plain, long now,
        CancellationToken ct)
    {
        // PostgreSQL's identity column takes an id given to it only when told so.
        var overriding = tx.Provider == DatabaseProvider.Postgres ? " OVERRIDING SYSTEM VALUE" : "";
        foreach (var chunk in plain.Chunk(200))
        {
            var sql = new StringBuilder($"INSERT INTO kit_notifications (id, user_id, type, data, created_ms){overriding} VALUES ");
            var parameters = new Dapper.DynamicParameters(new { now });
            for (var i = 0; i < chunk.Length; i++)
            {
                sql.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ", ")}(@i{i}, @u{i}, @t{i}, @d{i}, @now)");
                parameters.Add($"i{i}", ids[chunk[i]]);
                parameters.Add($"u{i}", items[chunk[i]].User);
                parameters.Add($"t{i}", items[chunk[i]].Type);
                parameters.Add($"d{i}", items[chunk[i]].Data);
            }
            await tx.ExecuteAsync(sql.ToString(), parameters, ct);
        }
    }

    /// <summary>
    /// Writes the keyed items into <c>kit_notifications_keyed</c>: a new row, or the unread one of the same user and key
    /// updated in place to the new id and content (the table holds unread rows only: marking read moves them out). In
    /// (user, key) order by code point, the order PostgreSQL's <c>COLLATE "C"</c> sorts in, so two transactions writing
    /// overlapping rows, or a mark read (<see cref="MarkReadAsync"/>), lock them in one order and cannot deadlock.
    /// Answers the user of each row added, and how many rows were replaced.
    /// </summary>
    private static async Task<(List<string> Added, int Replaced)> UpsertKeyedAsync(DatabaseTransaction tx, IReadOnlyList<NewNotification> items,
        long[] ids, Dictionary<(string User, string Key), int> keyed, long now, CancellationToken ct)
    {
        var added = new List<string>();
        var replaced = 0;
        var ordered = keyed.OrderBy(k => k.Key.User, CodePoints).ThenBy(k => k.Key.Key, CodePoints).ToList();
        if (tx.Provider == DatabaseProvider.Sqlite)
        {
            if (ordered.Count > 0)
            {
                // Those replacing an unread one go to the notice log (NotificationLog); the rest are new rows here.
                var rows = KeyedRowsJson(items, ids, ordered);
                replaced += await NotificationLog.AppendReplacingAsync(tx, rows, now, ct);
                foreach (var (user, times) in await tx.QueryAsync<(string, long)>(UpsertKeyedSqlite, new { rows, now }, ct))
                {
                    if (times == 0)
                    {
                        added.Add(user);
                    }
                    else
                    {
                        replaced++;
                    }
                }
            }
            return (added, replaced);
        }
        foreach (var chunk in ordered.Chunk(200))
        {
            var sql = new StringBuilder("INSERT INTO kit_notifications_keyed (user_id, replaces, id, type, data, created_ms) VALUES ");
            var parameters = new Dapper.DynamicParameters(new { now });
            for (var i = 0; i < chunk.Length; i++)
            {
                var (key, index) = chunk[i];
                sql.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ", ")}(@u{i}, @r{i}, @i{i}, @t{i}, @d{i}, @now)");
                parameters.Add($"u{i}", key.User);
                parameters.Add($"r{i}", key.Key);
                parameters.Add($"i{i}", ids[index]);
                parameters.Add($"t{i}", items[index].Type);
                parameters.Add($"d{i}", items[index].Data);
            }
            sql.Append(
                """
                 ON CONFLICT (user_id, replaces) DO UPDATE SET id = excluded.id, type = excluded.type, data = excluded.data,
                    created_ms = excluded.created_ms, replaced = kit_notifications_keyed.replaced + 1
                RETURNING user_id, replaced
                """);
            foreach (var (user, times) in await tx.QueryAsync<(string, long)>(sql.ToString(), parameters, ct))
            {
                if (times == 0)
                {
                    added.Add(user); // inserted: nothing of its key was unread
                }
                else
                {
                    replaced++;
                }
            }
        }
        return (added, replaced);
    }

    /// <summary>
    /// The keyed insert on SQLite, of the rows no unread one of their key waits for (the others were appended to the
    /// notice log just before: <see cref="NotificationLog"/>; the upsert stays for safety, it never updates):
    /// one statement of one text whatever the count, its rows passed as one JSON array
    /// (<see cref="KeyedRowsJson"/>) read by <c>json_each</c> in the array's order. Why: with five parameters a row, an
    /// event's ~10 overtaken notices made ~50 parameters, each a Dapper parameter, a driver parameter and a bind, and a
    /// new SQL text per count; here two parameters and one statement kept compiled by the writer's cache.
    /// (SQLite's parser needs a <c>WHERE</c> between a <c>SELECT</c> and <c>ON CONFLICT</c>.)
    /// </summary>
    private const string UpsertKeyedSqlite =
        """
        INSERT INTO kit_notifications_keyed (user_id, replaces, id, type, data, created_ms)
        SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'),
               json_extract(j.value, '$[4]'), @now
        FROM json_each(@rows) j
        WHERE NOT EXISTS (SELECT 1 FROM kit_notifications_keyed k
                          WHERE k.user_id = json_extract(j.value, '$[0]') AND k.replaces = json_extract(j.value, '$[1]'))
        ON CONFLICT (user_id, replaces) DO UPDATE SET id = excluded.id, type = excluded.type, data = excluded.data,
           created_ms = excluded.created_ms, replaced = kit_notifications_keyed.replaced + 1
        RETURNING user_id, replaced
        """;

    /// <summary>
    /// The keyed rows as <c>[[user, key, id, type, data], …]</c>, in the order given (text: a blob would be read as JSONB);
    /// with no <paramref name="ids"/>, each row's index in <paramref name="items"/> in place of its id.
    /// </summary>
    private static string KeyedRowsJson(IReadOnlyList<NewNotification> items, long[]? ids, List<KeyValuePair<(string User, string Key), int>> ordered) =>
        JsonText.Write((items, ids, ordered), 256 * ordered.Count, static (json, state) =>
        {
            var (items, ids, ordered) = state;
            json.WriteStartArray();
            foreach (var ((user, key), index) in ordered)
            {
                json.WriteStartArray();
                json.WriteStringValue(user);
                json.WriteStringValue(key);
                json.WriteNumberValue(ids is null ? index : ids[index]);
                json.WriteStringValue(items[index].Type);
                json.WriteStringValue(items[index].Data);
                json.WriteEndArray();
            }
            json.WriteEndArray();
        });

    /// <summary>
    /// Bounds each named user's inbox to its newest <paramref name="keep"/>, over both tables: one statement finds each
    /// user's cut (the id of their keep+1-th newest: a walk of at most keep + 1 entries of <c>kit_notifications</c>' index
    /// and their few keyed rows), and only for users over the bound two more delete what is at or below it.
    /// </summary>
    private static async Task BoundAsync(DatabaseTransaction tx, List<string> users, int keep, CancellationToken ct)
    {
        foreach (var chunk in users.Chunk(500))
        {
            var list = new Dapper.DynamicParameters(new { keep, walk = keep + 1 });
            for (var i = 0; i < chunk.Length; i++)
            {
                list.Add($"u{i}", chunk[i]);
            }
            var cuts = await tx.QueryAsync<(string, long?)>(
                $"""
                SELECT v.u, (SELECT a.id FROM (
                                 SELECT o.id FROM (SELECT n.id FROM kit_notifications n WHERE n.user_id = v.u ORDER BY n.id DESC LIMIT @walk) o
                                 UNION ALL SELECT k.id FROM kit_notifications_keyed k WHERE k.user_id = v.u) a
                             ORDER BY a.id DESC LIMIT 1 OFFSET @keep)
                FROM ({string.Join(" UNION ALL ", chunk.Select((_, i) => $"SELECT @u{i} AS u"))}) v
                """, list, ct);
            foreach (var (user, cut) in cuts)
            {
                if (cut is not { } found)
                {
                    continue;
                }
                // Over the bound (a count the notice log never changes): its rows merged first, the cut is taken again on
                // the ids the inbox shows.
                var id = found;
                if (tx.Provider == DatabaseProvider.Sqlite)
                {
                    await NotificationLog.MergeUserAsync(tx, user, ct);
                    id = await tx.QuerySingleAsync<long>(
                        """
                        SELECT a.id FROM (
                            SELECT o.id FROM (SELECT n.id FROM kit_notifications n WHERE n.user_id = @user ORDER BY n.id DESC LIMIT @walk) o
                            UNION ALL SELECT k.id FROM kit_notifications_keyed k WHERE k.user_id = @user) a
                        ORDER BY a.id DESC LIMIT 1 OFFSET @keep
                        """, new { user, keep, walk = keep + 1 }, ct);
                }
                await tx.ExecuteAsync("DELETE FROM kit_notifications WHERE user_id = @user AND id <= @id", new { user, id }, ct);
                // On PostgreSQL a keyed row another transaction is replacing is skipped, not waited for: it takes a new id, above the cut.
                await tx.ExecuteAsync(tx.Provider == DatabaseProvider.Postgres
                    ? """
                      DELETE FROM kit_notifications_keyed WHERE (user_id, replaces) IN (
                          SELECT user_id, replaces FROM kit_notifications_keyed WHERE user_id = @user AND id <= @id FOR UPDATE SKIP LOCKED)
                      """
                    : "DELETE FROM kit_notifications_keyed WHERE user_id = @user AND id <= @id", new { user, id }, ct);
            }
        }
    }

    /// <summary>A page of the user's notifications, newest first, from both tables (keyed rows are unread).</summary>
    public static async Task<List<NotificationView>> PageAsync(DatabaseTransaction tx, string user, bool unreadOnly, long? before, int limit,
        CancellationToken ct) =>
        [.. (await tx.QueryAsync<Row>(
            $"""
            SELECT Id, Type, Data, CreatedMs, IsRead FROM (
                SELECT * FROM (
                    SELECT {Columns} FROM kit_notifications
                    WHERE user_id = @user AND id < @before {(unreadOnly ? "AND is_read = 0" : "")}
                    ORDER BY id DESC LIMIT @limit) n
                UNION ALL
                SELECT id, type, data, created_ms, 0 FROM {NotificationLog.UnreadKeyed} k WHERE id < @before) a
            ORDER BY Id DESC LIMIT @limit
            """, new { user, before = before ?? long.MaxValue, limit }, ct)).Select(r => r.ToView())];

    public static Task<long> UnreadAsync(DatabaseTransaction tx, string user, CancellationToken ct) =>
        tx.QuerySingleAsync<long>(
            """
            SELECT (SELECT COUNT(*) FROM kit_notifications WHERE user_id = @user AND is_read = 0)
                 + (SELECT COUNT(*) FROM kit_notifications_keyed WHERE user_id = @user)
            """, new { user }, ct);

    /// <summary>The id of the user's newest notification in either table, or 0 when they have none.</summary>
    public static Task<long> NewestIdAsync(DatabaseTransaction tx, string user, CancellationToken ct) =>
        tx.QuerySingleAsync<long>(
            """
            SELECT COALESCE(MAX(id), 0) FROM (
                SELECT MAX(id) AS id FROM kit_notifications WHERE user_id = @user
                UNION ALL SELECT MAX(id) FROM kit_notifications_keyed WHERE user_id = @user
                UNION ALL SELECT MAX(id) FROM kit_notifications_log WHERE user_id = @user) n
            """, new { user }, ct);

    /// <summary>
    /// Marks the user's notifications up to <paramref name="upTo"/> read: in place in <c>kit_notifications</c>, and the
    /// keyed ones moved there, read, with their ids (so the next of their key is a new row beside them). On PostgreSQL the
    /// keyed rows are locked first in the order the upsert takes them (<see cref="UpsertKeyedAsync"/>).
    /// </summary>
    public static async Task<int> MarkReadAsync(DatabaseTransaction tx, string user, long upTo, CancellationToken ct)
    {
        await NotificationLog.MergeUserAsync(tx, user, ct);
        var marked = await tx.ExecuteAsync("UPDATE kit_notifications SET is_read = 1 WHERE user_id = @user AND id <= @upTo AND is_read = 0",
            new { user, upTo }, ct);
        if (tx.Provider == DatabaseProvider.Postgres)
        {
            await tx.ExecuteAsync(
                """
                SELECT 1 FROM kit_notifications_keyed WHERE user_id = @user AND id <= @upTo ORDER BY replaces COLLATE "C" FOR UPDATE
                """, new { user, upTo }, ct);
            return marked + await tx.ExecuteAsync(
                """
                WITH moved AS (DELETE FROM kit_notifications_keyed WHERE user_id = @user AND id <= @upTo
                               RETURNING id, user_id, type, data, created_ms, replaces)
                INSERT INTO kit_notifications (id, user_id, type, data, created_ms, is_read, replaces) OVERRIDING SYSTEM VALUE
                SELECT id, user_id, type, data, created_ms, 1, replaces FROM moved
                """, new { user, upTo }, ct);
        }
        await tx.ExecuteAsync(
            """
            INSERT INTO kit_notifications (id, user_id, type, data, created_ms, is_read, replaces)
            SELECT id, user_id, type, data, created_ms, 1, replaces FROM kit_notifications_keyed WHERE user_id = @user AND id <= @upTo
            """, new { user, upTo }, ct);
        return marked + await tx.ExecuteAsync("DELETE FROM kit_notifications_keyed WHERE user_id = @user AND id <= @upTo", new { user, upTo }, ct);
    }

    /// <summary>Deletes the user's notification <paramref name="id"/> if it is unread, from whichever table holds it.</summary>
    public static async Task<int> DeleteUnreadAsync(DatabaseTransaction tx, string user, long id, CancellationToken ct)
    {
        if (await tx.ExecuteAsync("DELETE FROM kit_notifications WHERE id = @id AND user_id = @user AND is_read = 0", new { id, user }, ct) is > 0 and var deleted)
        {
            return deleted;
        }
        await NotificationLog.MergeUserAsync(tx, user, ct); // the id may be a logged one's, and the keyed row goes
        return await tx.ExecuteAsync("DELETE FROM kit_notifications_keyed WHERE user_id = @user AND id = @id", new { id, user }, ct);
    }

    /// <summary>Strings by code point: UTF-8's byte order, which PostgreSQL's <c>COLLATE "C"</c> sorts in (UTF-16 order differs above U+D7FF).</summary>
    private static readonly Comparer<string> CodePoints = Comparer<string>.Create(static (a, b) =>
    {
        var (x, y) = (a.EnumerateRunes(), b.EnumerateRunes());
        while (true)
        {
            var (more, other) = (x.MoveNext(), y.MoveNext());
            if (!more || !other)
            {
                return more.CompareTo(other);
            }
            if (x.Current.Value != y.Current.Value)
            {
                return x.Current.Value.CompareTo(y.Current.Value);
            }
        }
    });

    /// <summary>A new unread notification's view.</summary>
    internal static NotificationView View(long id, string type, string data, long createdMs) =>
        new Row { Id = id, Type = type, Data = data, CreatedMs = createdMs }.ToView();

    private sealed class Row
    {
        public long Id { get; set; }
        public string Type { get; set; } = "";
        public string Data { get; set; } = "null";
        public long CreatedMs { get; set; }
        public long IsRead { get; set; }

        public NotificationView ToView() => new(
            Id.ToString(CultureInfo.InvariantCulture), Type, JsonSerializer.Deserialize(Data, KitJsonContext.Default.JsonElement),
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedMs).UtcDateTime, IsRead != 0);
    }
}
