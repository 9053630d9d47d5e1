using Hubbub.Storage;

namespace Hubbub.Features.Rooms;

/// <summary>The rooms SQL, portable between SQLite and PostgreSQL; every method runs in the caller's transaction.</summary>
internal static class RoomsStore
{
    private const string RoomColumns = "r.id AS Id, r.title AS Title, r.owner AS Owner, r.created_ms AS CreatedMs";

    public static Task<RoomRow?> FindAsync(DatabaseTransaction tx, string id, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<RoomRow>($"SELECT {RoomColumns} FROM rooms r WHERE r.id = @id", new { id }, ct);

    public static async Task<bool> IsMemberAsync(DatabaseTransaction tx, string room, string user, CancellationToken ct) =>
        await tx.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM room_members WHERE room_id = @room AND user_id = @user", new { room, user }, ct) > 0;

    /// <summary>The room, its row locked until the transaction ends (PostgreSQL), so member changes to it queue up.</summary>
    public static Task<RoomRow?> FindForUpdateAsync(DatabaseTransaction tx, string id, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<RoomRow>($"SELECT {RoomColumns} FROM rooms r WHERE r.id = @id{tx.ForUpdate}", new { id }, ct);

    /// <summary>Creates the room unless its id is taken (false then), also when another creator races for it.</summary>
    public static async Task<bool> TryInsertAsync(DatabaseTransaction tx, string id, string? title, string owner, long now, CancellationToken ct) =>
        await tx.ExecuteAsync(
            "INSERT INTO rooms (id, title, owner, created_ms) VALUES (@id, @title, @owner, @now) ON CONFLICT (id) DO NOTHING",
            new { id, title, owner, now }, ct) == 1;

    /// <summary>Adds the users not yet members; returns those added, in order.</summary>
    public static async Task<List<string>> AddMembersAsync(DatabaseTransaction tx, string room, IEnumerable<string> users, long now,
        CancellationToken ct)
    {
        var added = new List<string>();
        foreach (var user in users)
        {
            // One statement, so two adds of the same user racing on PostgreSQL cannot both insert (or fail).
            if (await tx.ExecuteAsync(
                    "INSERT INTO room_members (room_id, user_id, joined_ms) VALUES (@room, @user, @now) ON CONFLICT (room_id, user_id) DO NOTHING",
                    new { room, user, now }, ct) == 1)
            {
                added.Add(user);
            }
        }
        return added;
    }

    public static Task<int> RemoveMemberAsync(DatabaseTransaction tx, string room, string user, CancellationToken ct) =>
        tx.ExecuteAsync("DELETE FROM room_members WHERE room_id = @room AND user_id = @user", new { room, user }, ct);

    // The owner first, then by the time they joined; members added at the same moment by id.
    private const string MemberOrder = "CASE WHEN m.user_id = r.owner THEN 0 ELSE 1 END, m.joined_ms, m.user_id";

    /// <summary>Members of one room: the owner, then the others in the order they joined.</summary>
    public static async Task<List<string>> MembersAsync(DatabaseTransaction tx, string room, CancellationToken ct) =>
        (await tx.QueryAsync<string>(
            $"SELECT m.user_id FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.room_id = @room ORDER BY {MemberOrder}",
            new { room }, ct)).ToList();

    /// <summary>
    /// One page of the rooms a user belongs to, newest first (<c>created_ms</c>, then id, both descending), strictly
    /// before the cursor (<paramref name="beforeMs"/>, <paramref name="beforeId"/>; <see cref="long.MaxValue"/> for the
    /// first page), at most <paramref name="take"/> of them, with every member of each of those rooms (one query each).
    /// </summary>
    public static async Task<(List<RoomRow> Rooms, List<RoomMemberRow> Members)> RoomsOfAsync(DatabaseTransaction tx, string user,
        long beforeMs, string beforeId, int take, CancellationToken ct)
    {
        var rooms = (await tx.QueryAsync<RoomRow>(
            $"""
            SELECT {RoomColumns}
            FROM rooms r JOIN room_members me ON me.room_id = r.id AND me.user_id = @user
            WHERE r.created_ms < @beforeMs OR (r.created_ms = @beforeMs AND r.id < @beforeId)
            ORDER BY r.created_ms DESC, r.id DESC
            LIMIT @take
            """, new { user, beforeMs, beforeId, take }, ct)).ToList();
        if (rooms.Count == 0)
        {
            return (rooms, []);
        }
        var ids = rooms.Select(r => r.Id).ToArray();
        // PostgreSQL takes the page's ids as one array parameter; Dapper expands the list for SQLite.
        var inPage = tx.Provider == DatabaseProvider.Postgres ? "= ANY(@ids)" : "IN @ids";
        var members = (await tx.QueryAsync<RoomMemberRow>(
            $"""
            SELECT m.room_id AS RoomId, m.user_id AS UserId
            FROM room_members m JOIN rooms r ON r.id = m.room_id
            WHERE m.room_id {inPage}
            ORDER BY {MemberOrder}
            """, new { ids }, ct)).ToList();
        return (rooms, members);
    }
}
