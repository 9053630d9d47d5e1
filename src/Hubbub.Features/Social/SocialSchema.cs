using Hubbub.Storage.Migrations;

namespace Hubbub.Features.Social;

/// <summary>
/// The social tables. A friendship is two rows (one per direction), so "my friends" is one index range and the feed's
/// <c>user_id IN (my friends)</c> a join on it. Activities carry a database sequence (<c>seq</c>): the feed's order and
/// cursor, so a page boundary never moves when newer activities arrive. Times are Unix milliseconds. The feed is fanned
/// out on write (version 2): <c>social_feed</c> holds one narrow row per reader and activity (the author's own and each
/// friend's), keyed <c>(user_id, seq)</c>, so a page is one index range whatever the friend count.
/// </summary>
internal static class SocialSchema
{
    public static void Declare(MigrationSet m) => m
        .Add(1, "friends, requests, blocks, activities, likes, comments, rules",
            sqlite: Tables("INTEGER PRIMARY KEY"),
            postgres: Tables("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"))
        .Add(2, "feed inbox: one row per reader and activity, filled from the activities and friendships there are",
            sqlite: Inbox(" WITHOUT ROWID"),
            postgres: Inbox(""))
        .Add(3, "activity rules: an optional condition on the event's data",
            sqlite: RuleCondition,
            postgres: RuleCondition)
        .Add(4, "likes and comments belong to their activity: a foreign key that cascades its delete",
            sqlite: ReactionKeysSqlite,
            postgres: ReactionKeysPostgres)
        .Add(5, "the notification each comment gave its activity's author, withdrawn while unread when the comment goes",
            sqlite: CommentNotice,
            postgres: CommentNotice);

    // A comment's notice tells its activity's author of a comment: once the comment or its activity is deleted, an
    // unread one would tell of something no longer there (a like's notice has its own table, social_like_notices).
    private const string CommentNotice = "ALTER TABLE social_comments ADD COLUMN notification_id TEXT NULL;";

    // Likes and comments had no key to their activity: the service deletes them with it (under the activity's lock), but a
    // delete outside it (an operator's SQL) or a bug left orphans, counted nowhere and never removed. An earlier version
    // may have left some, so both engines drop them first. PostgreSQL adds the constraints in place; SQLite cannot add a
    // foreign key to a table, so its two tables are rebuilt (as auctions' migration 2 does): nothing references them, so
    // dropping and renaming under `foreign_keys = ON` touches no other table, and the comments keep their ids. The
    // cascade needs an index led by activity_id on each: the likes' primary key and social_comments_by_activity.
    private const string ReactionKeysSqlite = """
        CREATE TABLE social_likes_v4 (
            activity_id TEXT   NOT NULL REFERENCES social_activities (id) ON DELETE CASCADE,
            user_id     TEXT   NOT NULL,
            created_ms  BIGINT NOT NULL,
            PRIMARY KEY (activity_id, user_id));
        INSERT INTO social_likes_v4 (activity_id, user_id, created_ms)
            SELECT activity_id, user_id, created_ms FROM social_likes WHERE activity_id IN (SELECT id FROM social_activities);
        DROP TABLE social_likes;
        ALTER TABLE social_likes_v4 RENAME TO social_likes;
        CREATE TABLE social_comments_v4 (
            id          INTEGER PRIMARY KEY,
            activity_id TEXT   NOT NULL REFERENCES social_activities (id) ON DELETE CASCADE,
            user_id     TEXT   NOT NULL,
            text        TEXT   NOT NULL,
            created_ms  BIGINT NOT NULL);
        INSERT INTO social_comments_v4 (id, activity_id, user_id, text, created_ms)
            SELECT id, activity_id, user_id, text, created_ms FROM social_comments WHERE activity_id IN (SELECT id FROM social_activities);
        DROP TABLE social_comments;
        ALTER TABLE social_comments_v4 RENAME TO social_comments;
        CREATE INDEX social_comments_by_activity ON social_comments (activity_id, id);
        """;

    private const string ReactionKeysPostgres = """
        DELETE FROM social_likes l WHERE NOT EXISTS (SELECT 1 FROM social_activities a WHERE a.id = l.activity_id);
        DELETE FROM social_comments c WHERE NOT EXISTS (SELECT 1 FROM social_activities a WHERE a.id = c.activity_id);
        ALTER TABLE social_likes ADD CONSTRAINT social_likes_activity
            FOREIGN KEY (activity_id) REFERENCES social_activities (id) ON DELETE CASCADE;
        ALTER TABLE social_comments ADD CONSTRAINT social_comments_activity
            FOREIGN KEY (activity_id) REFERENCES social_activities (id) ON DELETE CASCADE;
        """;

    // The rule's `when`: a JSON object of top-level data fields and the values they must have (null: every event).
    private const string RuleCondition = "ALTER TABLE social_activity_rules ADD COLUMN when_json TEXT NULL;";

    // Rows of a reader's feed: their own activities and their friends'. (user_id, author_id) finds the rows to drop when a
    // friendship ends; a deleted activity's rows are found through the author's friends (the primary key), so no index on
    // seq alone is kept for a rare delete. The backfill makes an existing database's feeds what the old query read.
    private static string Inbox(string withoutRowId) => $"""
        CREATE TABLE social_feed (
            user_id   TEXT   NOT NULL,
            seq       BIGINT NOT NULL,
            author_id TEXT   NOT NULL,
            PRIMARY KEY (user_id, seq)){withoutRowId};
        CREATE INDEX social_feed_by_author ON social_feed (user_id, author_id);
        INSERT INTO social_feed (user_id, seq, author_id) SELECT user_id, seq, user_id FROM social_activities;
        INSERT INTO social_feed (user_id, seq, author_id)
            SELECT f.user_id, a.seq, a.user_id FROM social_friends f JOIN social_activities a ON a.user_id = f.friend_id;
        """;

    private static string Tables(string identity) => $"""
        CREATE TABLE social_pairs (
            low  TEXT NOT NULL,
            high TEXT NOT NULL,
            PRIMARY KEY (low, high));
        CREATE TABLE social_friends (
            user_id    TEXT   NOT NULL,
            friend_id  TEXT   NOT NULL,
            created_ms BIGINT NOT NULL,
            PRIMARY KEY (user_id, friend_id));
        CREATE TABLE social_requests (
            from_user  TEXT   NOT NULL,
            to_user    TEXT   NOT NULL,
            created_ms BIGINT NOT NULL,
            PRIMARY KEY (from_user, to_user));
        CREATE INDEX social_requests_to ON social_requests (to_user, from_user);
        CREATE TABLE social_blocks (
            user_id    TEXT   NOT NULL,
            blocked_id TEXT   NOT NULL,
            created_ms BIGINT NOT NULL,
            PRIMARY KEY (user_id, blocked_id));
        CREATE TABLE social_activities (
            seq           {identity},
            id            TEXT   NOT NULL UNIQUE,
            user_id       TEXT   NOT NULL,
            type          TEXT   NOT NULL,
            title         TEXT   NOT NULL,
            description   TEXT   NULL,
            data          TEXT   NULL,
            created_ms    BIGINT NOT NULL,
            updated_ms    BIGINT NULL,
            like_count    BIGINT NOT NULL DEFAULT 0,
            comment_count BIGINT NOT NULL DEFAULT 0);
        CREATE INDEX social_activities_by_user ON social_activities (user_id, seq);
        CREATE TABLE social_likes (
            activity_id TEXT   NOT NULL,
            user_id     TEXT   NOT NULL,
            created_ms  BIGINT NOT NULL,
            PRIMARY KEY (activity_id, user_id));
        CREATE TABLE social_comments (
            id          {identity},
            activity_id TEXT   NOT NULL,
            user_id     TEXT   NOT NULL,
            text        TEXT   NOT NULL,
            created_ms  BIGINT NOT NULL);
        CREATE INDEX social_comments_by_activity ON social_comments (activity_id, id);
        CREATE TABLE social_like_notices (
            activity_id     TEXT   PRIMARY KEY,
            notification_id TEXT   NOT NULL);
        CREATE TABLE social_activity_rules (
            type        TEXT   PRIMARY KEY,
            title       TEXT   NOT NULL,
            description TEXT   NULL,
            created_ms  BIGINT NOT NULL);
        """;
}
