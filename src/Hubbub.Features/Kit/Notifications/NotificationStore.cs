using System.Globalization;
using System.Text.Json;
using Hubbub.Storage;

namespace Hubbub.Features.Kit.Notifications;

/// <summary>The notification SQL: one row per kept notification, at most a configured number per user.</summary>
internal static class NotificationStore
{
    private const string Columns = "id AS Id, type AS Type, data AS Data, created_ms AS CreatedMs, is_read AS IsRead";

    public static async Task<NotificationView> InsertAsync(DatabaseTransaction tx, string user, string type, string data, long now, int keep,
        CancellationToken ct)
    {
        var id = await tx.QuerySingleAsync<long>(
            "INSERT INTO kit_notifications (user_id, type, data, created_ms) VALUES (@user, @type, @data, @now) RETURNING id",
            new { user, type, data, now }, ct);
        // Bounded per user: the oldest beyond the newest `keep` go.
        await tx.ExecuteAsync(
            """
            DELETE FROM kit_notifications WHERE user_id = @user AND id < (
                SELECT MIN(id) FROM (SELECT id FROM kit_notifications WHERE user_id = @user ORDER BY id DESC LIMIT @keep) newest)
            """, new { user, keep }, ct);
        return new Row { Id = id, Type = type, Data = data, CreatedMs = now }.ToView();
    }

    /// <summary>
    /// Keeps one notification per item in one statement, then bounds to the newest <paramref name="keep"/> every user named
    /// whose inbox grew, in one more: <see cref="InsertAsync"/> for many at once. An item with a
    /// <see cref="NewNotification.Replaces"/> key first deletes its user's unread notification of that key (one statement
    /// for all of them). Answers the views in the order given, and how many unread notifications were replaced.
    /// </summary>
    public static async Task<KeptNotifications> InsertEachAsync(DatabaseTransaction tx, IReadOnlyList<NewNotification> items,
        long now, int keep, CancellationToken ct)
    {
        var replaced = await DeleteReplacedAsync(tx, items, ct);
        var views = new List<NotificationView>(items.Count);
        foreach (var chunk in items.Chunk(200))
        {
            var sql = new System.Text.StringBuilder("INSERT INTO kit_notifications (user_id, type, data, created_ms, replaces) VALUES ");
            var parameters = new Dapper.DynamicParameters(new { now });
            for (var i = 0; i < chunk.Length; i++)
            {
                sql.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ", ")}(@u{i}, @t{i}, @d{i}, @now, @r{i})");
                parameters.Add($"u{i}", chunk[i].User);
                parameters.Add($"t{i}", chunk[i].Type);
                parameters.Add($"d{i}", chunk[i].Data);
                parameters.Add($"r{i}", chunk[i].Replaces, System.Data.DbType.String);
            }
            // Rows of one multi-row INSERT take ascending ids in the order written.
            var ids = (await tx.QueryAsync<long>(sql.Append(" RETURNING id").ToString(), parameters, ct)).Order().ToList();
            views.AddRange(chunk.Select((item, i) => new Row { Id = ids[i], Type = item.Type, Data = item.Data, CreatedMs = now }.ToView()));
        }
        // Only a user whose inbox grew can have passed the bound: one whose new notifications each replaced an unread one
        // (gamification's overtaken, most of the time) holds as many as before, which the bound already allowed.
        var growth = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            growth[item.User] = growth.GetValueOrDefault(item.User) + 1;
        }
        foreach (var user in replaced)
        {
            growth[user]--;
        }
        var users = items.Select(i => i.User).Distinct(StringComparer.Ordinal).Where(u => growth[u] > 0).ToList();
        foreach (var chunk in users.Chunk(500))
        {
            // Bounded per user, as InsertAsync: each named user's rows older than their keep-th newest go. The cut is found
            // once per user (one walk of at most keep + 1 index entries), not once per row of theirs: a subquery correlated
            // with the deleted rows was run for every row of the user's inbox, a walk each, which grew with the square of it.
            var list = new Dapper.DynamicParameters(new { keep });
            for (var i = 0; i < chunk.Length; i++)
            {
                list.Add($"u{i}", chunk[i]);
            }
            await tx.ExecuteAsync(
                $"""
                DELETE FROM kit_notifications WHERE id IN (
                    SELECT k.id FROM (
                        SELECT v.u AS user_id,
                               (SELECT n.id FROM kit_notifications n WHERE n.user_id = v.u ORDER BY n.id DESC LIMIT 1 OFFSET @keep) AS cut
                        FROM ({string.Join(" UNION ALL ", chunk.Select((_, i) => $"SELECT @u{i} AS u"))}) v) c
                    JOIN kit_notifications k ON k.user_id = c.user_id AND k.id <= c.cut)
                """, list, ct);
        }
        return new KeptNotifications(views, replaced.Count);
    }

    /// <summary>
    /// Deletes the unread notification of each (user, replaces key) the items name, found through
    /// <c>kit_notifications_unread_replaceable</c> (partial: only unread rows with a key are in it), and answers the user of
    /// each row deleted. One statement on SQLite (one writer: no lock order to keep; <c>RETURNING</c> names the users); on
    /// PostgreSQL the rows are locked in (user, id) order first and deleted by id, so two transactions replacing
    /// overlapping users' notifications take their locks in one order and cannot deadlock.
    /// </summary>
    private static async Task<List<string>> DeleteReplacedAsync(DatabaseTransaction tx, IReadOnlyList<NewNotification> items, CancellationToken ct)
    {
        var deleted = new List<string>();
        var keys = items.Where(i => i.Replaces is not null).Select(i => (i.User, Key: i.Replaces!)).Distinct().ToList();
        foreach (var chunk in keys.Chunk(200))
        {
            var parameters = new Dapper.DynamicParameters();
            for (var i = 0; i < chunk.Length; i++)
            {
                parameters.Add($"u{i}", chunk[i].User);
                parameters.Add($"r{i}", chunk[i].Key);
            }
            var where = $"is_read = 0 AND replaces IS NOT NULL AND ({string.Join(" OR ", chunk.Select((_, i) => $"(user_id = @u{i} AND replaces = @r{i})"))})";
            if (tx.Provider == DatabaseProvider.Postgres)
            {
                var rows = (await tx.QueryAsync<(long Id, string User)>(
                    $"SELECT id, user_id FROM kit_notifications WHERE {where} ORDER BY user_id, id FOR UPDATE", parameters, ct)).ToArray();
                if (rows.Length > 0)
                {
                    var ids = rows.Select(r => r.Id).ToArray();
                    await tx.ExecuteAsync("DELETE FROM kit_notifications WHERE id = ANY(@ids)", new { ids }, ct);
                    deleted.AddRange(rows.Select(r => r.User));
                }
                continue;
            }
            deleted.AddRange(await tx.QueryAsync<string>($"DELETE FROM kit_notifications WHERE {where} RETURNING user_id", parameters, ct));
        }
        return deleted;
    }

    public static async Task<List<NotificationView>> PageAsync(DatabaseTransaction tx, string user, bool unreadOnly, long? before, int limit,
        CancellationToken ct) =>
        [.. (await tx.QueryAsync<Row>(
            $"""
            SELECT {Columns} FROM kit_notifications
            WHERE user_id = @user AND id < @before {(unreadOnly ? "AND is_read = 0" : "")}
            ORDER BY id DESC LIMIT @limit
            """, new { user, before = before ?? long.MaxValue, limit }, ct)).Select(r => r.ToView())];

    public static Task<long> UnreadAsync(DatabaseTransaction tx, string user, CancellationToken ct) =>
        tx.QuerySingleAsync<long>("SELECT COUNT(*) FROM kit_notifications WHERE user_id = @user AND is_read = 0", new { user }, ct);

    public static Task<int> MarkReadAsync(DatabaseTransaction tx, string user, long upTo, CancellationToken ct) =>
        tx.ExecuteAsync("UPDATE kit_notifications SET is_read = 1 WHERE user_id = @user AND id <= @upTo AND is_read = 0", new { user, upTo }, ct);

    public static Task<int> DeleteUnreadAsync(DatabaseTransaction tx, string user, long id, CancellationToken ct) =>
        tx.ExecuteAsync("DELETE FROM kit_notifications WHERE id = @id AND user_id = @user AND is_read = 0", new { id, user }, ct);

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
