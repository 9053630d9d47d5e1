using Hubbub.Server.Storage;

namespace Hubbub.Server.Features.Rooms;

/// <summary>The rooms SQL, portable between SQLite and PostgreSQL; every method runs in the caller's transaction.</summary>
internal static class RoomsStore
{
    public static Task<RoomRow?> FindAsync(DatabaseTransaction tx, string id, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<RoomRow>(
            "SELECT id AS Id, title AS Title, owner AS Owner, created_ms AS CreatedMs FROM rooms WHERE id = @id", new { id }, ct);

    public static async Task<bool> IsMemberAsync(DatabaseTransaction tx, string room, string user, CancellationToken ct) =>
        await tx.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM room_members WHERE room_id = @room AND user_id = @user", new { room, user }, ct) > 0;

    public static Task InsertAsync(DatabaseTransaction tx, string id, string? title, string owner, long now, CancellationToken ct) =>
        tx.ExecuteAsync("INSERT INTO rooms (id, title, owner, created_ms) VALUES (@id, @title, @owner, @now)",
            new { id, title, owner, now }, ct);

    /// <summary>Adds the users not yet members; returns those added, in order.</summary>
    public static async Task<List<string>> AddMembersAsync(DatabaseTransaction tx, string room, IEnumerable<string> users, long now,
        CancellationToken ct)
    {
        var added = new List<string>();
        foreach (var user in users)
        {
            if (!await IsMemberAsync(tx, room, user, ct))
            {
                await tx.ExecuteAsync("INSERT INTO room_members (room_id, user_id, joined_ms) VALUES (@room, @user, @now)",
                    new { room, user, now }, ct);
                added.Add(user);
            }
        }
        return added;
    }

    public static Task<int> RemoveMemberAsync(DatabaseTransaction tx, string room, string user, CancellationToken ct) =>
        tx.ExecuteAsync("DELETE FROM room_members WHERE room_id = @room AND user_id = @user", new { room, user }, ct);

    public static async Task<long> CountMembersAsync(DatabaseTransaction tx, string room, CancellationToken ct) =>
        await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM room_members WHERE room_id = @room", new { room }, ct);

    /// <summary>Members of one room, in the order they joined.</summary>
    public static async Task<List<string>> MembersAsync(DatabaseTransaction tx, string room, CancellationToken ct) =>
        (await tx.QueryAsync<string>(
            "SELECT user_id FROM room_members WHERE room_id = @room ORDER BY joined_ms, user_id", new { room }, ct)).ToList();

    /// <summary>The rooms a user belongs to, newest first, with every member of each (one query each).</summary>
    public static async Task<(List<RoomRow> Rooms, List<RoomMemberRow> Members)> RoomsOfAsync(DatabaseTransaction tx, string user,
        CancellationToken ct)
    {
        var rooms = (await tx.QueryAsync<RoomRow>(
            """
            SELECT r.id AS Id, r.title AS Title, r.owner AS Owner, r.created_ms AS CreatedMs
            FROM rooms r JOIN room_members me ON me.room_id = r.id AND me.user_id = @user
            ORDER BY r.created_ms DESC, r.id
            """, new { user }, ct)).ToList();
        var members = (await tx.QueryAsync<RoomMemberRow>(
            """
            SELECT m.room_id AS RoomId, m.user_id AS UserId
            FROM room_members m JOIN room_members me ON me.room_id = m.room_id AND me.user_id = @user
            ORDER BY m.joined_ms, m.user_id
            """, new { user }, ct)).ToList();
        return (rooms, members);
    }
}
