using Hubbub.Storage.Migrations;

namespace Hubbub.Features.Social;

/// <summary>
/// The social tables. A friendship is two rows (one per direction), so "my friends" is one index range and the feed's
/// <c>user_id IN (my friends)</c> a join on it. Activities carry a database sequence (<c>seq</c>): the feed's order and
/// cursor, so a page boundary never moves when newer activities arrive. Times are Unix milliseconds.
/// </summary>
internal static class SocialSchema
{
    public static void Declare(MigrationSet m) => m
        .Add(1, "friends, requests, blocks, activities, likes, comments, rules",
            sqlite: Tables("INTEGER PRIMARY KEY"),
            postgres: Tables("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"));

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
