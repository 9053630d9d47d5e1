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
