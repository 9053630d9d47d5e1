using Hubbub.Storage.Migrations;

namespace Hubbub.Features.Gamification;

/// <summary>
/// The gamification tables: definitions (rules, achievements, quests, streaks, leaderboards: one row each, its JSON
/// as stored, and the event type it listens to, null for boards of XP) and each user's state
/// (XP and level, achievement progress, quest progress per period, streaks, leaderboard scores per period). Times are
/// Unix milliseconds; local days are days since 1970-01-01 in the user's time zone.
/// </summary>
internal static class GamificationSchema
{
    public static void Declare(MigrationSet m) => m
        .Add(1, "definitions and per-user state", sqlite: Tables("REAL"), postgres: Tables("DOUBLE PRECISION"))
        .Add(2, "challenges and their participants", sqlite: Challenges("INTEGER PRIMARY KEY", "REAL"),
            postgres: Challenges("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "DOUBLE PRECISION"))
        .Add(3, "the kept overtaken notification of each user and board", OvertakenNotices, OvertakenNotices)
        .Add(4, "a version per leaderboard score, so the ranked index never takes an older value for a newer one", ScoreVersions, ScoreVersions)
        .Add(5, "a version of the definitions and challenges, so each node may keep them parsed in memory", DefinitionsVersion, DefinitionsVersion)
        .Add(6, "the scores in a descending board's order, so whom a score passed is read without sorting its ties", DescendingScores, DescendingScores)
        .Add(7, "overtaken notifications replace the unread one of their board through the kit's key, not a table of their own",
            OvertakenByKey, OvertakenByKey)
        .Add(8, "the unread overtaken notifications keyed by migration 7 kept in the kit's keyed table",
            Kit.KitSchema.MoveKeyedNotifications, Kit.KitSchema.MoveKeyedNotifications)
        .Add(9, "an optional key per challenge, so a rules file (or an app posting again) creates it once", ChallengeKeys, ChallengeKeys);

    private const string ChallengeKeys = """
        ALTER TABLE gam_challenges ADD COLUMN def_key TEXT NULL;
        CREATE UNIQUE INDEX gam_challenges_by_key ON gam_challenges (def_key);
        """;

    /// <summary>
    /// Moves the rule "a newer <c>overtaken</c> replaces the unread one of its board" from <c>gam_overtaken_notices</c> to
    /// the kit's <c>replaces</c> key (<c>overtaken:{board}</c>), which costs an event three statements less (read the
    /// notices, withdraw, keep the new ones): the unread notifications the table kept get their key, so an upgraded inbox
    /// still holds at most one per board, and the table goes. Runs after the kit's migration 2 (the kit migrates first).
    /// Migration 8 then moves the rows it keyed into <c>kit_notifications_keyed</c> (the kit's migration 3 ran before
    /// this one on a database upgraded from before both, and found no keys yet); on others it finds nothing to move.
    /// </summary>
    private const string OvertakenByKey = """
        UPDATE kit_notifications
           SET replaces = (SELECT 'overtaken:' || n.board FROM gam_overtaken_notices n WHERE n.notification_id = CAST(kit_notifications.id AS TEXT))
         WHERE is_read = 0 AND CAST(id AS TEXT) IN (SELECT notification_id FROM gam_overtaken_notices);
        DROP TABLE gam_overtaken_notices;
        """;

    /// <summary>
    /// The scores in the order of a <c>desc</c> board (better score first, then who reached it first, then the user id), as
    /// <c>gam_scores_ranked</c> holds an <c>asc</c> board's. Why: the query for whom a better score passed (the users told
    /// <c>overtaken</c>, nearest first, at most ten) orders by score descending and reached time ascending; with only the
    /// ascending index the engine walks the index for the scores but sorts each score's ties by time itself, so every row
    /// tied in the passed range was read and sorted for ten of them (a quarter of the SQLite writer's time in issue 15's
    /// bench, where thousands of players share a score). Read in this index's order, it stops after ten.
    /// </summary>
    private const string DescendingScores = "CREATE INDEX gam_scores_ranked_desc ON gam_scores (board, period_key, score DESC, reached_ms, user_id);";

    /// <summary>
    /// One row whose version grows with every change of a definition or a new challenge, in the change's transaction:
    /// an event reads it with its user's row (no extra statement) and re-reads the definitions only when it moved
    /// (<see cref="DefinitionCache"/>), so a change applies to the events after it on every node.
    /// </summary>
    private const string DefinitionsVersion = """
        CREATE TABLE gam_definitions_version (
            id      INTEGER PRIMARY KEY,
            version BIGINT  NOT NULL);
        INSERT INTO gam_definitions_version (id, version) VALUES (1, 1);
        """;

    /// <summary>
    /// Each score row's version, one more per change: the ranked index (<see cref="Ranking.ILeaderboardIndex"/>) is told
    /// committed scores after their commit, possibly out of order, and keeps the one of the highest version.
    /// </summary>
    private const string ScoreVersions = "ALTER TABLE gam_scores ADD COLUMN version BIGINT NOT NULL DEFAULT 1;";

    /// <summary>
    /// The inbox's <c>overtaken</c> notification of each user and board, so a newer one replaces it while it is unread
    /// (one per board in the inbox, not one per pass).
    /// </summary>
    private const string OvertakenNotices = """
        CREATE TABLE gam_overtaken_notices (
            user_id         TEXT NOT NULL,
            board           TEXT NOT NULL,
            notification_id TEXT NOT NULL,
            PRIMARY KEY (user_id, board));
        """;

    /// <summary>
    /// Challenges (a goal over a window, counted from one event type or summed from one data field) and each joined
    /// user's progress; <c>participants</c> is kept with the challenge so lists need no count. Ranked reads walk
    /// <c>(challenge_id, progress, reached_ms, user_id)</c>; an event finds the user's challenges by <c>user_id</c>.
    /// </summary>
    private static string Challenges(string identity, string real) => $"""
        CREATE TABLE gam_challenges (
            id           {identity},
            title        TEXT   NOT NULL,
            event_type   TEXT   NOT NULL,
            field        TEXT   NULL,
            goal         {real} NOT NULL,
            starts_ms    BIGINT NOT NULL,
            ends_ms      BIGINT NOT NULL,
            created_ms   BIGINT NOT NULL,
            participants BIGINT NOT NULL);
        CREATE TABLE gam_challenge_participants (
            challenge_id BIGINT NOT NULL REFERENCES gam_challenges (id),
            user_id      TEXT   NOT NULL,
            progress     {real} NOT NULL,
            joined_ms    BIGINT NOT NULL,
            reached_ms   BIGINT NOT NULL,
            completed_ms BIGINT NULL,
            PRIMARY KEY (challenge_id, user_id));
        CREATE INDEX gam_challenge_participants_ranked ON gam_challenge_participants (challenge_id, progress, reached_ms, user_id);
        CREATE INDEX gam_challenge_participants_by_user ON gam_challenge_participants (user_id, challenge_id);
        """;

    private static string Tables(string real) => $"""
        CREATE TABLE gam_definitions (
            kind       TEXT   NOT NULL,
            def_key    TEXT   NOT NULL,
            event_type TEXT   NULL,
            data       TEXT   NOT NULL,
            created_ms BIGINT NOT NULL,
            PRIMARY KEY (kind, def_key));
        CREATE INDEX gam_definitions_by_type ON gam_definitions (event_type);
        CREATE TABLE gam_users (
            user_id    TEXT    PRIMARY KEY,
            xp         BIGINT  NOT NULL,
            level      INTEGER NOT NULL,
            created_ms BIGINT  NOT NULL,
            updated_ms BIGINT  NOT NULL);
        CREATE TABLE gam_achievement_progress (
            user_id     TEXT   NOT NULL,
            achievement TEXT   NOT NULL,
            progress    {real} NOT NULL,
            unlocked_ms BIGINT NULL,
            PRIMARY KEY (user_id, achievement));
        CREATE INDEX gam_achievement_progress_unlocked ON gam_achievement_progress (achievement, unlocked_ms);
        CREATE TABLE gam_quest_progress (
            user_id      TEXT   NOT NULL,
            quest        TEXT   NOT NULL,
            period_key   TEXT   NOT NULL,
            progress     BIGINT NOT NULL,
            completed_ms BIGINT NULL,
            PRIMARY KEY (user_id, quest, period_key));
        CREATE TABLE gam_streak_state (
            user_id   TEXT    NOT NULL,
            streak    TEXT    NOT NULL,
            count     INTEGER NOT NULL,
            best      INTEGER NOT NULL,
            last_day  INTEGER NOT NULL,
            PRIMARY KEY (user_id, streak));
        CREATE TABLE gam_scores (
            board      TEXT   NOT NULL,
            period_key TEXT   NOT NULL,
            user_id    TEXT   NOT NULL,
            score      {real} NOT NULL,
            reached_ms BIGINT NOT NULL,
            PRIMARY KEY (board, period_key, user_id));
        CREATE INDEX gam_scores_ranked ON gam_scores (board, period_key, score, reached_ms, user_id);
        """;
}
