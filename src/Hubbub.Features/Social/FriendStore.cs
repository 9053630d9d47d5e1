using Hubbub.Storage;

namespace Hubbub.Features.Social;

/// <summary>Friendships, requests and blocks; every method runs in the caller's transaction.</summary>
internal static class FriendStore
{
    /// <summary>
    /// Serialises every change between two users: the pair's row is created once and locked (PostgreSQL) until the
    /// transaction ends, so two requests crossing each other cannot both miss the other and leave two pending requests.
    /// </summary>
    public static async Task LockPairAsync(DatabaseTransaction tx, string a, string b, CancellationToken ct)
    {
        var (low, high) = string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
        await tx.ExecuteAsync("INSERT INTO social_pairs (low, high) VALUES (@low, @high) ON CONFLICT (low, high) DO NOTHING", new { low, high }, ct);
        await tx.QueryAsync<string>($"SELECT low FROM social_pairs WHERE low = @low AND high = @high{tx.ForUpdate}", new { low, high }, ct);
    }

    public static async Task<bool> AreFriendsAsync(DatabaseTransaction tx, string user, string other, CancellationToken ct) =>
        await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM social_friends WHERE user_id = @user AND friend_id = @other", new { user, other }, ct) > 0;

    public static async Task<bool> HasRequestAsync(DatabaseTransaction tx, string from, string to, CancellationToken ct) =>
        await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM social_requests WHERE from_user = @from AND to_user = @to", new { from, to }, ct) > 0;

    public static async Task<bool> IsBlockedAsync(DatabaseTransaction tx, string blocker, string blocked, CancellationToken ct) =>
        await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM social_blocks WHERE user_id = @blocker AND blocked_id = @blocked",
            new { blocker, blocked }, ct) > 0;

    public static Task<long> FriendCountAsync(DatabaseTransaction tx, string user, CancellationToken ct) =>
        tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM social_friends WHERE user_id = @user", new { user }, ct);

    /// <summary>Open requests a user sent (<paramref name="outgoing"/>) or received, for the bound on both lists.</summary>
    public static Task<long> OpenRequestCountAsync(DatabaseTransaction tx, string user, bool outgoing, CancellationToken ct) =>
        tx.ExecuteScalarAsync<long>(
            outgoing ? "SELECT COUNT(*) FROM social_requests WHERE from_user = @user" : "SELECT COUNT(*) FROM social_requests WHERE to_user = @user",
            new { user }, ct);

    public static async Task<bool> AddRequestAsync(DatabaseTransaction tx, string from, string to, long now, CancellationToken ct) =>
        await tx.ExecuteAsync(
            "INSERT INTO social_requests (from_user, to_user, created_ms) VALUES (@from, @to, @now) ON CONFLICT (from_user, to_user) DO NOTHING",
            new { from, to, now }, ct) == 1;

    public static Task<int> RemoveRequestAsync(DatabaseTransaction tx, string from, string to, CancellationToken ct) =>
        tx.ExecuteAsync("DELETE FROM social_requests WHERE from_user = @from AND to_user = @to", new { from, to }, ct);

    public static async Task AddFriendshipAsync(DatabaseTransaction tx, string a, string b, long now, CancellationToken ct)
    {
        await tx.ExecuteAsync(
            "INSERT INTO social_friends (user_id, friend_id, created_ms) VALUES (@a, @b, @now), (@b, @a, @now) ON CONFLICT (user_id, friend_id) DO NOTHING",
            new { a, b, now }, ct);
    }

    public static Task<int> RemoveFriendshipAsync(DatabaseTransaction tx, string a, string b, CancellationToken ct) =>
        tx.ExecuteAsync("DELETE FROM social_friends WHERE (user_id = @a AND friend_id = @b) OR (user_id = @b AND friend_id = @a)", new { a, b }, ct);

    public static async Task<bool> AddBlockAsync(DatabaseTransaction tx, string blocker, string blocked, long now, CancellationToken ct) =>
        await tx.ExecuteAsync(
            "INSERT INTO social_blocks (user_id, blocked_id, created_ms) VALUES (@blocker, @blocked, @now) ON CONFLICT (user_id, blocked_id) DO NOTHING",
            new { blocker, blocked, now }, ct) == 1;

    public static Task<int> RemoveBlockAsync(DatabaseTransaction tx, string blocker, string blocked, CancellationToken ct) =>
        tx.ExecuteAsync("DELETE FROM social_blocks WHERE user_id = @blocker AND blocked_id = @blocked", new { blocker, blocked }, ct);

    /// <summary>The user's friends' ids (for fan-out of live events).</summary>
    public static async Task<List<string>> FriendIdsAsync(DatabaseTransaction tx, string user, CancellationToken ct) =>
        (await tx.QueryAsync<string>("SELECT friend_id FROM social_friends WHERE user_id = @user", new { user }, ct)).ToList();

    /// <summary>
    /// One page of a user's friends, the requests to them or theirs (<paramref name="list"/>), newest first (ties by user
    /// id), after the position <paramref name="before"/> of the previous page; <paramref name="limit"/> + 1 rows, so the
    /// caller knows whether another page follows.
    /// </summary>
    public static async Task<List<PersonRow>> PeopleAsync(DatabaseTransaction tx, FriendListKind list, string user,
        (long Ms, string User)? before, int limit, CancellationToken ct)
    {
        var (table, other, owner) = list switch
        {
            FriendListKind.Friends => ("social_friends", "friend_id", "user_id"),
            FriendListKind.Incoming => ("social_requests", "from_user", "to_user"),
            _ => ("social_requests", "to_user", "from_user"),
        };
        var after = before is null ? "" : $" AND (p.created_ms < @ms OR (p.created_ms = @ms AND p.{other} > @other))";
        return (await tx.QueryAsync<PersonRow>(
            $"""
            SELECT p.{other} AS UserId, COALESCE(u.name, p.{other}) AS Name, p.created_ms AS CreatedMs
            FROM {table} p LEFT JOIN kit_users u ON u.id = p.{other}
            WHERE p.{owner} = @user{after} ORDER BY p.created_ms DESC, p.{other} LIMIT @take
            """, new { user, ms = before?.Ms ?? 0, other = before?.User ?? "", take = limit + 1 }, ct)).ToList();
    }
}

/// <summary>The three lists of <c>GET /api/friends</c>.</summary>
internal enum FriendListKind
{
    Friends,
    Incoming,
    Outgoing,
}
