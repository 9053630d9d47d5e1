using System.Text;
using Hubbub.Storage;

namespace Hubbub.Features.Social;

/// <summary>
/// The feed inbox (<c>social_feed</c>): fan-out on write. A post adds one narrow row per reader (the author and each
/// friend) in one statement; a page is then one range of <c>(user_id, seq)</c>, whatever the friend count (see
/// docs/features/social.md for the measurements). The rows are an index of candidates, not the authority: the page query
/// still checks the friendship and joins the activity, so a row that outlived its friendship or its activity shows nothing.
/// Every method runs in the caller's transaction.
/// </summary>
internal static class FeedStore
{
    // The class half of PostgreSQL's two-key advisory locks, so social's locks never meet another feature's keys.
    private const int LockClass = 0x736f6369; // "soci"

    /// <summary>
    /// Taken by whoever fans an author's activity out to their friends (or removes it): shared, so one author's posts
    /// never wait for each other, but a friendship change of the author (<see cref="LockFriendshipAsync"/>) waits for
    /// them and they for it. Without it, on PostgreSQL, a post and an accept committing together could each miss the
    /// other (the post reads the friends before the friendship commits, the accept copies the activities before the
    /// post commits) and the new friend's inbox would lack the post. SQLite's one writer serializes them anyway.
    /// </summary>
    public static Task LockAuthorAsync(DatabaseTransaction tx, string author, CancellationToken ct) =>
        tx.Provider == DatabaseProvider.Postgres
            ? tx.ExecuteAsync("SELECT pg_advisory_xact_lock_shared(@LockClass, @key)", new { LockClass, key = KeyOf(author) }, ct)
            : Task.CompletedTask;

    /// <summary>Taken (exclusive, both users in key order, so two changes never deadlock) by a change of a friendship.</summary>
    public static async Task LockFriendshipAsync(DatabaseTransaction tx, string a, string b, CancellationToken ct)
    {
        if (tx.Provider != DatabaseProvider.Postgres)
        {
            return;
        }
        foreach (var key in new[] { KeyOf(a), KeyOf(b) }.Distinct().Order())
        {
            await tx.ExecuteAsync("SELECT pg_advisory_xact_lock(@LockClass, @key)", new { LockClass, key }, ct);
        }
    }

    /// <summary>
    /// Puts a new activity in its author's feed and each friend's: one statement, one row each. Answers the readers it
    /// wrote for (the author and each friend), who are also the feed channels to announce it on, so the friends are read
    /// once per post, not twice.
    /// </summary>
    public static async Task<List<string>> FanOutAsync(DatabaseTransaction tx, long seq, string author, CancellationToken ct) =>
        (await tx.QueryAsync<string>(
            """
            INSERT INTO social_feed (user_id, seq, author_id)
            SELECT @author, @seq, @author
            UNION ALL SELECT friend_id, @seq, @author FROM social_friends WHERE user_id = @author
            RETURNING user_id
            """, new { seq, author }, ct)).ToList();

    /// <summary>
    /// Takes a deleted activity out of the feeds it is in (its author's and their friends'), one primary-key probe per
    /// reader. Each engine gets the shape its planner probes with: PostgreSQL scans the whole inbox for the
    /// <c>seq = … AND user_id IN (…)</c> form (480 ms at a million rows) but probes for a row-value <c>IN</c>; SQLite the
    /// other way round.
    /// </summary>
    public static Task RemoveAsync(DatabaseTransaction tx, long seq, string author, CancellationToken ct) =>
        tx.ExecuteAsync(tx.Provider == DatabaseProvider.Postgres
            ? """
              DELETE FROM social_feed WHERE (user_id, seq) IN (
                  SELECT friend_id, CAST(@seq AS BIGINT) FROM social_friends WHERE user_id = @author
                  UNION ALL SELECT @author, CAST(@seq AS BIGINT))
              """
            : """
              DELETE FROM social_feed WHERE seq = @seq
                AND (user_id = @author OR user_id IN (SELECT friend_id FROM social_friends WHERE user_id = @author))
              """, new { seq, author }, ct);

    /// <summary>New friends see each other's past activities at once: each one's activities go into the other's feed.</summary>
    public static Task BackfillAsync(DatabaseTransaction tx, string a, string b, CancellationToken ct) =>
        tx.ExecuteAsync(
            """
            INSERT INTO social_feed (user_id, seq, author_id)
            SELECT @a, seq, user_id FROM social_activities WHERE user_id = @b
            UNION ALL SELECT @b, seq, user_id FROM social_activities WHERE user_id = @a
            ON CONFLICT (user_id, seq) DO NOTHING
            """, new { a, b }, ct);

    /// <summary>An ended friendship (removal or block) takes each one's activities out of the other's feed.</summary>
    public static Task PurgeAsync(DatabaseTransaction tx, string a, string b, CancellationToken ct) =>
        tx.ExecuteAsync(
            "DELETE FROM social_feed WHERE (user_id = @a AND author_id = @b) OR (user_id = @b AND author_id = @a)", new { a, b }, ct);

    // FNV-1a over the id's UTF-8: stable on every node and run (string.GetHashCode is not). A collision only makes two
    // users share a lock, never a wrong result.
    private static int KeyOf(string user)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(user))
        {
            hash = (hash ^ b) * 16777619u;
        }
        return unchecked((int)hash);
    }
}
