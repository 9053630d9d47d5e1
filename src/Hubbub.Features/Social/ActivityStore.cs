using Hubbub.Storage;

namespace Hubbub.Features.Social;

/// <summary>Activities, likes, comments and rules; every method runs in the caller's transaction.</summary>
internal static class ActivityStore
{
    // liked_by_me is per reader: a left join on the likes' whole primary key (activity, reader), one probe per row and at
    // most one match. (As an EXISTS, PostgreSQL may hash all the reader's likes, read through the key's second column.)
    private const string Selected = """
        a.seq AS Seq, a.id AS Id, a.user_id AS UserId, COALESCE(u.name, a.user_id) AS Name, a.type AS Type, a.title AS Title,
        a.description AS Description, a.data AS Data, a.created_ms AS CreatedMs, a.updated_ms AS UpdatedMs,
        a.like_count AS LikeCount, a.comment_count AS CommentCount, CASE WHEN l.user_id IS NULL THEN 0 ELSE 1 END AS LikedByMe
        """;

    // The joins every activity read makes to what Selected names: the author's name and the reader's like.
    private const string Joined = "LEFT JOIN kit_users u ON u.id = a.user_id LEFT JOIN social_likes l ON l.activity_id = a.id AND l.user_id = @viewer";

    private const string Columns = Selected + " FROM social_activities a " + Joined;

    public static Task<ActivityRow?> FindAsync(DatabaseTransaction tx, string id, string viewer, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<ActivityRow>($"SELECT {Columns} WHERE a.id = @id", new { id, viewer }, ct);

    /// <summary>
    /// The activity as <see cref="FindAsync"/> reads it, its row locked until the commit: every write to an activity or its
    /// likes and comments (edit, delete, like, unlike, comment, comment deletion) takes it first, so on PostgreSQL they
    /// follow one another per activity. Without it a delete and a like each held half of what the other needed (40P01
    /// deadlock), a like inserted after the delete's cleanup outlived its activity, and concurrent deletes each deleted
    /// and announced. A write that waited for a delete finds no row: <c>not_found</c>, and nothing written. SQLite's one
    /// writer already runs writes one at a time.
    /// </summary>
    public static Task<ActivityRow?> FindForWriteAsync(DatabaseTransaction tx, string id, string viewer, CancellationToken ct) =>
        tx.Provider == DatabaseProvider.Postgres
            ? tx.QuerySingleOrDefaultAsync<ActivityRow>($"SELECT {Columns} WHERE a.id = @id FOR UPDATE OF a", new { id, viewer }, ct)
            : FindAsync(tx, id, viewer, ct);

    /// <summary>
    /// The feed: the reader's and their friends' activities below <paramref name="before"/>, newest first, each with its
    /// newest <paramref name="latestComments"/> comments. Fan-out on write: one backward range of the reader's inbox
    /// <c>social_feed (user_id, seq)</c>, each row joined to its activity by primary key, so a page reads about
    /// <paramref name="limit"/> rows whatever the friend count; the like and comment counts are columns of the activity
    /// (kept with each like and comment), so nothing is counted per read. The friendship is checked again per row (one
    /// primary-key probe), so the inbox only ever decides what is fast, never who sees what. The check is a scalar
    /// subquery, not <c>EXISTS</c>: PostgreSQL turns an <c>OR EXISTS</c> into a hash of all the reader's friends, built on
    /// every read (1.5 ms at 5,000 friends against 0.2 ms for the 21 probes). On PostgreSQL the latest comments come in the
    /// same statement (a bounded backward range of each activity's comments): one round trip per page; on SQLite, in-process,
    /// a second statement costs no round trip.
    /// </summary>
    public static async Task<(List<ActivityRow> Rows, List<CommentRow> Comments)> FeedAsync(DatabaseTransaction tx, string viewer, long before,
        int limit, int latestComments, CancellationToken ct)
    {
        const string Visible = """
            i.user_id = @viewer AND i.seq < @before
              AND (i.author_id = @viewer OR (SELECT 1 FROM social_friends f WHERE f.user_id = @viewer AND f.friend_id = i.author_id) IS NOT NULL)
            """;
        if (tx.Provider != DatabaseProvider.Postgres)
        {
            var rows = (await tx.QueryAsync<ActivityRow>(
                $"""
                SELECT {Selected}
                FROM social_feed i JOIN social_activities a ON a.seq = i.seq {Joined}
                WHERE {Visible}
                ORDER BY i.seq DESC LIMIT @limit
                """, new { viewer, before, limit }, ct)).ToList();
            // The last row only says whether there is a next page: its comments are not shown.
            return (rows, await LatestCommentsAsync(tx, rows.Take(limit - 1).Select(r => r.Id).ToList(), latestComments, ct));
        }
        var joined = (await tx.QueryAsync<FeedRow>(
            $"""
            WITH page AS (SELECT i.seq FROM social_feed i WHERE {Visible} ORDER BY i.seq DESC LIMIT @limit)
            SELECT {Selected}, c.id AS CommentId, c.user_id AS CommentUserId, COALESCE(cu.name, c.user_id) AS CommentName, c.text AS CommentText,
                   c.created_ms AS CommentCreatedMs
            FROM page p JOIN social_activities a ON a.seq = p.seq {Joined}
            LEFT JOIN LATERAL (
                SELECT x.id, x.user_id, x.text, x.created_ms FROM social_comments x WHERE x.activity_id = a.id ORDER BY x.id DESC LIMIT @latestComments
            ) c ON TRUE
            LEFT JOIN kit_users cu ON cu.id = c.user_id
            ORDER BY p.seq DESC, c.id DESC
            """, new { viewer, before, limit, latestComments }, ct)).ToList();
        var activities = new List<ActivityRow>(limit);
        var comments = new List<CommentRow>();
        foreach (var row in joined)
        {
            if (activities.Count == 0 || activities[^1].Seq != row.Seq)
            {
                activities.Add(row);
            }
            if (row.CommentId is { } id)
            {
                comments.Add(new CommentRow
                {
                    Id = id, ActivityId = row.Id, UserId = row.CommentUserId!, Name = row.CommentName!, Text = row.CommentText!,
                    CreatedMs = row.CommentCreatedMs ?? 0,
                });
            }
        }
        return (activities, comments);
    }

    public static async Task<List<ActivityRow>> OfUserAsync(DatabaseTransaction tx, string author, string viewer, long before, int limit,
        CancellationToken ct) =>
        (await tx.QueryAsync<ActivityRow>(
            $"SELECT {Columns} WHERE a.user_id = @author AND a.seq < @before ORDER BY a.seq DESC LIMIT @limit",
            new { author, viewer, before, limit }, ct)).ToList();

    /// <summary>The ids of a user's activities (to end an ex-friend's subscriptions to their channels).</summary>
    public static async Task<List<string>> IdsOfUserAsync(DatabaseTransaction tx, string user, CancellationToken ct) =>
        (await tx.QueryAsync<string>("SELECT id FROM social_activities WHERE user_id = @user", new { user }, ct)).ToList();

    /// <summary>Inserts unless the id exists (false then: a retried domain event makes one activity).</summary>
    public static async Task<bool> TryInsertAsync(DatabaseTransaction tx, string id, string user, string type, string title, string? description,
        string? data, long now, CancellationToken ct) =>
        await tx.ExecuteAsync(
            """
            INSERT INTO social_activities (id, user_id, type, title, description, data, created_ms)
            VALUES (@id, @user, @type, @title, @description, @data, @now) ON CONFLICT (id) DO NOTHING
            """, new { id, user, type, title, description, data, now }, ct) == 1;

    public static Task UpdateAsync(DatabaseTransaction tx, string id, string title, string? description, string? data, long now, CancellationToken ct) =>
        tx.ExecuteAsync("UPDATE social_activities SET title = @title, description = @description, data = @data, updated_ms = @now WHERE id = @id",
            new { id, title, description, data, now }, ct);

    /// <summary>
    /// Deletes the activity, its likes and comments (the database cascades them: social migration 4) and its like notice;
    /// false (and nothing deleted) when it was gone already. Run under <see cref="FindForWriteAsync"/>'s lock, so no like
    /// or comment can arrive after it (one that tried would fail the foreign key, not be left behind).
    /// </summary>
    public static async Task<bool> DeleteAsync(DatabaseTransaction tx, string id, CancellationToken ct)
    {
        if (await tx.ExecuteAsync("DELETE FROM social_activities WHERE id = @id", new { id }, ct) != 1)
        {
            return false;
        }
        await tx.ExecuteAsync("DELETE FROM social_like_notices WHERE activity_id = @id", new { id }, ct);
        return true;
    }

    /// <summary>
    /// Adds a like and counts it in one statement each: the insert decides (a second like inserts nothing), and the
    /// count is an increment, so concurrent likes from many users never lose one. Returns whether it was new.
    /// </summary>
    public static async Task<bool> LikeAsync(DatabaseTransaction tx, string activity, string user, long now, CancellationToken ct)
    {
        if (await tx.ExecuteAsync(
                "INSERT INTO social_likes (activity_id, user_id, created_ms) VALUES (@activity, @user, @now) ON CONFLICT (activity_id, user_id) DO NOTHING",
                new { activity, user, now }, ct) == 0)
        {
            return false;
        }
        await tx.ExecuteAsync("UPDATE social_activities SET like_count = like_count + 1 WHERE id = @activity", new { activity }, ct);
        return true;
    }

    public static async Task<bool> UnlikeAsync(DatabaseTransaction tx, string activity, string user, CancellationToken ct)
    {
        if (await tx.ExecuteAsync("DELETE FROM social_likes WHERE activity_id = @activity AND user_id = @user", new { activity, user }, ct) == 0)
        {
            return false;
        }
        await tx.ExecuteAsync("UPDATE social_activities SET like_count = like_count - 1 WHERE id = @activity", new { activity }, ct);
        return true;
    }

    public static Task<long> LikeCountAsync(DatabaseTransaction tx, string activity, CancellationToken ct) =>
        tx.ExecuteScalarAsync<long>("SELECT like_count FROM social_activities WHERE id = @activity", new { activity }, ct);

    public static Task<long> CommentCountAsync(DatabaseTransaction tx, string activity, CancellationToken ct) =>
        tx.ExecuteScalarAsync<long>("SELECT comment_count FROM social_activities WHERE id = @activity", new { activity }, ct);

    public static async Task<long> AddCommentAsync(DatabaseTransaction tx, string activity, string user, string text, long now, CancellationToken ct)
    {
        var id = await tx.QuerySingleAsync<long>(
            "INSERT INTO social_comments (activity_id, user_id, text, created_ms) VALUES (@activity, @user, @text, @now) RETURNING id",
            new { activity, user, text, now }, ct);
        await tx.ExecuteAsync("UPDATE social_activities SET comment_count = comment_count + 1 WHERE id = @activity", new { activity }, ct);
        return id;
    }

    /// <summary>Remembers the notification comment <paramref name="id"/> gave its activity's author.</summary>
    public static Task SetCommentNoticeAsync(DatabaseTransaction tx, long id, string notification, CancellationToken ct) =>
        tx.ExecuteAsync("UPDATE social_comments SET notification_id = @notification WHERE id = @id", new { id, notification }, ct);

    /// <summary>The notification comment <paramref name="id"/> gave, if any.</summary>
    public static Task<string?> CommentNoticeAsync(DatabaseTransaction tx, long id, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<string>("SELECT notification_id FROM social_comments WHERE id = @id", new { id }, ct);

    /// <summary>Every notification the activity's likes and comments gave its author (to withdraw the unread ones with it).</summary>
    public static Task<IEnumerable<string>> NoticesAsync(DatabaseTransaction tx, string activity, CancellationToken ct) =>
        tx.QueryAsync<string>(
            """
            SELECT notification_id FROM social_like_notices WHERE activity_id = @activity
            UNION ALL
            SELECT notification_id FROM social_comments WHERE activity_id = @activity AND notification_id IS NOT NULL
            """, new { activity }, ct);

    public static Task<CommentRow?> FindCommentAsync(DatabaseTransaction tx, string activity, long id, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<CommentRow>(
            $"SELECT {CommentColumns} WHERE c.activity_id = @activity AND c.id = @id", new { activity, id }, ct);

    /// <summary>Deletes a comment and counts it out; false (nothing changed) when no such comment was left to delete.</summary>
    public static async Task<bool> DeleteCommentAsync(DatabaseTransaction tx, string activity, long id, CancellationToken ct)
    {
        if (await tx.ExecuteAsync("DELETE FROM social_comments WHERE activity_id = @activity AND id = @id", new { activity, id }, ct) != 1)
        {
            return false;
        }
        await tx.ExecuteAsync("UPDATE social_activities SET comment_count = comment_count - 1 WHERE id = @activity", new { activity }, ct);
        return true;
    }

    private const string CommentFields =
        "c.id AS Id, c.activity_id AS ActivityId, c.user_id AS UserId, COALESCE(u.name, c.user_id) AS Name, c.text AS Text, c.created_ms AS CreatedMs";

    private const string CommentColumns = CommentFields + " FROM social_comments c LEFT JOIN kit_users u ON u.id = c.user_id";

    public static async Task<List<CommentRow>> CommentsAsync(DatabaseTransaction tx, string activity, long before, int limit, CancellationToken ct) =>
        (await tx.QueryAsync<CommentRow>(
            $"SELECT {CommentColumns} WHERE c.activity_id = @activity AND c.id < @before ORDER BY c.id DESC LIMIT @limit",
            new { activity, before, limit }, ct)).ToList();

    /// <summary>
    /// The newest <paramref name="each"/> comments of each activity, in one query: a bounded backward range of each
    /// activity's comments (index <c>(activity_id, id)</c>), so an activity with thousands of comments costs what one with
    /// three does.
    /// </summary>
    public static async Task<List<CommentRow>> LatestCommentsAsync(DatabaseTransaction tx, IReadOnlyList<string> activities, int each,
        CancellationToken ct)
    {
        if (activities.Count == 0 || each == 0)
        {
            return [];
        }
        // Dapper sends a list to Npgsql as one array parameter and expands it for SQLite (IN (@a1, @a2, …)).
        return (await tx.QueryAsync<CommentRow>(tx.Provider == DatabaseProvider.Postgres
            ? $"""
              SELECT {CommentFields} FROM unnest(CAST(@activities AS text[])) AS p(id)
              CROSS JOIN LATERAL (SELECT * FROM social_comments x WHERE x.activity_id = p.id ORDER BY x.id DESC LIMIT @each) c
              LEFT JOIN kit_users u ON u.id = c.user_id
              ORDER BY c.id DESC
              """
            : $"""
              WITH p(id) AS (SELECT id FROM social_activities WHERE id IN @activities)
              SELECT {CommentFields} FROM p
              JOIN social_comments c ON c.id IN (SELECT x.id FROM social_comments x WHERE x.activity_id = p.id ORDER BY x.id DESC LIMIT @each)
              LEFT JOIN kit_users u ON u.id = c.user_id
              ORDER BY c.id DESC
              """, new { activities = activities.ToArray(), each }, ct)).ToList();
    }

    public static Task<string?> LikeNoticeAsync(DatabaseTransaction tx, string activity, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<string>("SELECT notification_id FROM social_like_notices WHERE activity_id = @activity", new { activity }, ct);

    /// <summary>The latest like of an activity other than its author's own (their likes are not notified), with the liker's name.</summary>
    public static Task<Liker?> NewestLikerAsync(DatabaseTransaction tx, string activity, string author, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<Liker>(
            """
            SELECT l.user_id AS "User", COALESCE(u.name, l.user_id) AS "Name" FROM social_likes l
            LEFT JOIN kit_users u ON u.id = l.user_id
            WHERE l.activity_id = @activity AND l.user_id <> @author
            ORDER BY l.created_ms DESC, l.user_id DESC LIMIT 1
            """, new { activity, author }, ct);

    public static Task SetLikeNoticeAsync(DatabaseTransaction tx, string activity, string notification, CancellationToken ct) =>
        tx.ExecuteAsync(
            """
            INSERT INTO social_like_notices (activity_id, notification_id) VALUES (@activity, @notification)
            ON CONFLICT (activity_id) DO UPDATE SET notification_id = excluded.notification_id
            """, new { activity, notification }, ct);

    public static Task UpsertRuleAsync(DatabaseTransaction tx, string type, string title, string? description, string? when, long now,
        CancellationToken ct) =>
        tx.ExecuteAsync(
            """
            INSERT INTO social_activity_rules (type, title, description, when_json, created_ms) VALUES (@type, @title, @description, @when, @now)
            ON CONFLICT (type) DO UPDATE SET title = excluded.title, description = excluded.description, when_json = excluded.when_json
            """, new { type, title, description, when, now }, ct);

    public static Task<RuleRow?> RuleAsync(DatabaseTransaction tx, string type, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<RuleRow>(
            "SELECT type AS Type, title AS Title, description AS Description, when_json AS WhenJson, created_ms AS CreatedMs FROM social_activity_rules WHERE type = @type",
            new { type }, ct);

    public static async Task<bool> HasRuleAsync(DatabaseTransaction tx, string type, CancellationToken ct) =>
        await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM social_activity_rules WHERE type = @type", new { type }, ct) > 0;

    public static Task<long> RuleCountAsync(DatabaseTransaction tx, CancellationToken ct) =>
        tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM social_activity_rules", null, ct);

    public static async Task<List<RuleRow>> RulesAsync(DatabaseTransaction tx, CancellationToken ct) =>
        (await tx.QueryAsync<RuleRow>(
            "SELECT type AS Type, title AS Title, description AS Description, when_json AS WhenJson, created_ms AS CreatedMs FROM social_activity_rules ORDER BY type",
            null, ct)).ToList();
}
