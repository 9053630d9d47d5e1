using Hubbub.Storage.Migrations;

namespace Hubbub.Features.Kit;

/// <summary>
/// The kit's tables: outbox, domain events and their handlings, idempotency keys, jobs, users, notifications. Times
/// are Unix milliseconds. Migrated before every feature (features may reference <c>kit_users</c>).
/// </summary>
internal static class KitSchema
{
    public const string Feature = "kit";

    public static void Declare(MigrationSet m) => m
        .Add(1, "outbox, domain events, idempotency keys, jobs, users, notifications",
            sqlite: Tables("INTEGER PRIMARY KEY"),
            postgres: Tables("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"))
        .Add(2, "the key of the unread notification a newer one replaces", ReplaceableNotifications, ReplaceableNotifications)
        .Add(3, "the unread notification of each user and key kept in one row, replaced in place",
            sqlite: KeyedNotifications("INTEGER", "WITHOUT ROWID") + NotificationIdsSqlite + MoveKeyedNotifications + DropReplaceableIndex,
            postgres: KeyedNotifications("BIGINT", "") + MoveKeyedNotifications + DropReplaceableIndex)
        .Add(4, "the name of each user's last token, apart from the name shown", TokenNames, TokenNames)
        .Add(5, "the log of keyed notifications merged into their rows in bulk",
            sqlite: NotificationLogTable("INTEGER PRIMARY KEY", "INTEGER"), postgres: NotificationLogTable("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "BIGINT"))
        .Add(6, "each channel's last publication sequence, in commit order", ChannelSequences, ChannelSequences);

    /// <summary>
    /// The notice log (<see cref="Notifications.NotificationLog"/>): keyed notifications that replace an unread one,
    /// appended on SQLite and merged into <c>kit_notifications_keyed</c> in bulk. No index but its rowid: an index would
    /// put each notice on a random page again. Empty on PostgreSQL, which keeps replacing in place.
    /// </summary>
    private static string NotificationLogTable(string seq, string id) => $"""
        CREATE TABLE kit_notifications_log (
            seq        {seq},
            user_id    TEXT    NOT NULL,
            replaces   TEXT    NOT NULL,
            id         {id}    NOT NULL,
            type       TEXT    NOT NULL,
            data       TEXT    NOT NULL,
            created_ms BIGINT  NOT NULL);
        """;

    /// <summary>
    /// Each channel's last sequence (<see cref="Outbox.ChannelSequences"/>): taken by every transaction that publishes on
    /// the channel, last thing before its commit, on PostgreSQL with Redis only (several nodes); the Redis broker
    /// publishes the channel's publications in its order. Empty on SQLite and on one node. One small row per channel ever
    /// published on, never deleted: a channel's numbers must not start over while Redis remembers where they were.
    /// </summary>
    private const string ChannelSequences = """
        CREATE TABLE kit_channel_sequences (
            channel TEXT   NOT NULL PRIMARY KEY,
            seq     BIGINT NOT NULL);
        """;

    /// <summary>
    /// The <c>name</c> claim of the user's last token: a token replaces the shown <c>name</c> only when its name differs
    /// from this one, so a name the user chose (<c>PATCH /api/users/me</c>) stays until a token with another name
    /// arrives, on any node and after restarts. Null for rows from before it: their next token writes as before.
    /// </summary>
    private const string TokenNames = "ALTER TABLE kit_users ADD COLUMN token_name TEXT NULL;";

    /// <summary>
    /// The unread notification of each (user, <c>replaces</c> key), one row replaced in place by a newer one of its key
    /// (an upsert of one b-tree entry, where the delete of the unread one and the insert of the new one cost three b-tree
    /// deletes and three inserts: the row, <c>kit_notifications_by_user</c> and the partial index, and SQLite's planner
    /// found the unread one by walking the user's rows, never through that index). Unread rows only: marking read moves
    /// a row into <c>kit_notifications</c>, with its id, so a read one stays in the history as before. Its <c>id</c> comes
    /// from the inbox's one sequence (<c>kit_notifications</c>' identity on PostgreSQL, <c>kit_sequences</c> on SQLite);
    /// <c>replaced</c> counts the unread ones the row replaced, so the upsert tells an added row from a replaced one.
    /// No index on <c>id</c>: every read is of one user's rows, the primary key's prefix, a few per user.
    /// </summary>
    private static string KeyedNotifications(string id, string withoutRowId) => $"""
        CREATE TABLE kit_notifications_keyed (
            user_id    TEXT    NOT NULL,
            replaces   TEXT    NOT NULL,
            id         {id}    NOT NULL,
            type       TEXT    NOT NULL,
            data       TEXT    NOT NULL,
            created_ms BIGINT  NOT NULL,
            replaced   BIGINT  NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, replaces)) {withoutRowId};

        """;

    /// <summary>
    /// SQLite's sequence of notification ids for both tables (the rowid of <c>kit_notifications</c> alone would reuse
    /// the largest id a moved or deleted row left), seeded with the largest id kept.
    /// </summary>
    private const string NotificationIdsSqlite = """
        CREATE TABLE kit_sequences (
            name    TEXT    NOT NULL PRIMARY KEY,
            last_id INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO kit_sequences (name, last_id) SELECT 'kit_notifications', COALESCE(MAX(id), 0) FROM kit_notifications;

        """;

    /// <summary>
    /// Moves the unread keyed notifications of <c>kit_notifications</c> into <c>kit_notifications_keyed</c> with their
    /// ids: the newest of each user and key (there is one, unless a batch held two of a key), the older ones deleted as a
    /// newer one of their key would have. Also run by gamification's migration 8 for the keys its migration 7 gives.
    /// </summary>
    public const string MoveKeyedNotifications = """
        INSERT INTO kit_notifications_keyed (user_id, replaces, id, type, data, created_ms)
            SELECT user_id, replaces, id, type, data, created_ms FROM kit_notifications n
             WHERE is_read = 0 AND replaces IS NOT NULL
               AND id = (SELECT MAX(m.id) FROM kit_notifications m WHERE m.user_id = n.user_id AND m.replaces = n.replaces AND m.is_read = 0)
            ON CONFLICT (user_id, replaces) DO NOTHING;
        DELETE FROM kit_notifications
         WHERE is_read = 0 AND replaces IS NOT NULL
           AND EXISTS (SELECT 1 FROM kit_notifications_keyed k WHERE k.user_id = kit_notifications.user_id AND k.replaces = kit_notifications.replaces);

        """;

    /// <summary>Nothing reads unread keyed rows of <c>kit_notifications</c> any more.</summary>
    private const string DropReplaceableIndex = "DROP INDEX kit_notifications_unread_replaceable;";

    /// <summary>
    /// A notification's <c>replaces</c> key (null for most): a newer notification of the same user and key deletes it while
    /// it is unread (<see cref="PublicationBatch.Notify{T}(string, string, T, System.Text.Json.Serialization.Metadata.JsonTypeInfo{T}, string?)"/>).
    /// The index holds only unread rows with a key, so it costs nothing for other notifications and stays small: at most
    /// one row per user and key. Migration 3 moved those rows to a table of their own and dropped the index.
    /// </summary>
    private const string ReplaceableNotifications = """
        ALTER TABLE kit_notifications ADD COLUMN replaces TEXT NULL;
        CREATE INDEX kit_notifications_unread_replaceable ON kit_notifications (user_id, replaces) WHERE replaces IS NOT NULL AND is_read = 0;
        """;

    private static string Tables(string identity) => $"""
        CREATE TABLE kit_outbox (
            id               {identity},
            kind             TEXT    NOT NULL,
            channel          TEXT    NOT NULL,
            event_type       TEXT    NULL,
            data             TEXT    NULL,
            target_user      TEXT    NULL,
            created_ms       BIGINT  NOT NULL,
            claim            TEXT    NULL,
            claimed_until_ms BIGINT  NOT NULL DEFAULT 0,
            attempts         INTEGER NOT NULL DEFAULT 0,
            last_error       TEXT    NULL);
        CREATE INDEX kit_outbox_claimable ON kit_outbox (claimed_until_ms, id);
        CREATE INDEX kit_outbox_by_claim ON kit_outbox (claim);
        CREATE TABLE kit_domain_events (
            id         {identity},
            type       TEXT   NOT NULL,
            data       TEXT   NOT NULL,
            created_ms BIGINT NOT NULL);
        CREATE TABLE kit_event_handlings (
            event_id         BIGINT  NOT NULL REFERENCES kit_domain_events (id),
            handler          TEXT    NOT NULL,
            claim            TEXT    NULL,
            claimed_until_ms BIGINT  NOT NULL DEFAULT 0,
            attempts         INTEGER NOT NULL DEFAULT 0,
            last_error       TEXT    NULL,
            PRIMARY KEY (event_id, handler));
        CREATE INDEX kit_event_handlings_claimable ON kit_event_handlings (claimed_until_ms);
        CREATE TABLE kit_idempotency (
            scope      TEXT   NOT NULL,
            idem_key   TEXT   NOT NULL,
            result     TEXT   NULL,
            created_ms BIGINT NOT NULL,
            PRIMARY KEY (scope, idem_key));
        CREATE TABLE kit_jobs (
            kind             TEXT    NOT NULL,
            job_key          TEXT    NOT NULL,
            due_ms           BIGINT  NOT NULL,
            payload          TEXT    NULL,
            claim            TEXT    NULL,
            claimed_until_ms BIGINT  NOT NULL DEFAULT 0,
            attempts         INTEGER NOT NULL DEFAULT 0,
            last_error       TEXT    NULL,
            PRIMARY KEY (kind, job_key));
        CREATE INDEX kit_jobs_due ON kit_jobs (due_ms);
        CREATE TABLE kit_users (
            id           TEXT   PRIMARY KEY,
            name         TEXT   NOT NULL,
            time_zone    TEXT   NULL,
            last_seen_ms BIGINT NULL);
        CREATE TABLE kit_notifications (
            id         {identity},
            user_id    TEXT    NOT NULL,
            type       TEXT    NOT NULL,
            data       TEXT    NOT NULL,
            created_ms BIGINT  NOT NULL,
            is_read    INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX kit_notifications_by_user ON kit_notifications (user_id, id);
        """;
}
