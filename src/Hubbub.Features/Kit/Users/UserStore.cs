using Hubbub.Storage;

namespace Hubbub.Features.Kit.Users;

/// <summary>The user directory's SQL (<c>kit_users</c>).</summary>
internal static class UserStore
{
    public static Task UpsertNameAsync(DatabaseTransaction tx, string id, string name, CancellationToken ct) =>
        tx.ExecuteAsync("INSERT INTO kit_users (id, name) VALUES (@id, @name) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            new { id, name }, ct);

    /// <summary>
    /// Records a token's name: it becomes the shown name unless it is the name of the token recorded last (the user may
    /// have chosen another since). Returns the name shown after it.
    /// </summary>
    public static async Task<string> RecordTokenNameAsync(DatabaseTransaction tx, string id, string name, CancellationToken ct) =>
        (await tx.ExecuteScalarAsync<string>(
            """
            INSERT INTO kit_users (id, name, token_name) VALUES (@id, @name, @name)
            ON CONFLICT (id) DO UPDATE SET
                name = CASE WHEN kit_users.token_name = excluded.token_name THEN kit_users.name ELSE excluded.name END,
                token_name = excluded.token_name
            RETURNING name
            """, new { id, name }, ct))!;

    public static Task SetLastSeenAsync(DatabaseTransaction tx, string id, string name, long lastSeenMs, CancellationToken ct) =>
        tx.ExecuteAsync(
            "INSERT INTO kit_users (id, name, last_seen_ms) VALUES (@id, @name, @lastSeenMs) ON CONFLICT (id) DO UPDATE SET last_seen_ms = excluded.last_seen_ms",
            new { id, name, lastSeenMs }, ct);

    public static Task SetTimeZoneAsync(DatabaseTransaction tx, string id, string? timeZone, CancellationToken ct) =>
        tx.ExecuteAsync(
            "INSERT INTO kit_users (id, name, time_zone) VALUES (@id, @id, @timeZone) ON CONFLICT (id) DO UPDATE SET time_zone = excluded.time_zone",
            new { id, timeZone }, ct);

    public static Task<UserRow?> FindAsync(DatabaseTransaction tx, string id, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<UserRow>(
            "SELECT id AS Id, name AS Name, time_zone AS TimeZone, last_seen_ms AS LastSeenMs FROM kit_users WHERE id = @id", new { id }, ct);

    internal sealed class UserRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string? TimeZone { get; set; }
        public long? LastSeenMs { get; set; }
    }
}
