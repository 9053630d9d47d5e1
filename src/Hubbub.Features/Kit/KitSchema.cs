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
        .Add(3, "notifications kept together by user on SQLite", sqlite: NotificationsByUser,
            postgres: "SELECT 1; -- PostgreSQL keeps its identity column and index");

    /// <summary>
    /// SQLite stores a table in its primary key's order: with the rowid, a user's notifications were spread over the whole
    /// table and each replaced <c>overtaken</c> (deleted, and its successor inserted) touched a page of the table and one of
    /// <c>kit_notifications_by_user</c> at random. Clustered by (user_id, id), the deleted row and the new one share a leaf
    /// page, and the by-user index is the table itself. Without a rowid the ids come from <c>kit_sequences</c>, seeded with
    /// the largest id kept (NotificationStore.AllocateIdsAsync); every row is carried over with its id. The partial index
    /// of unread keyed rows (migration 2) goes too: SQLite's planner finds a user's unread row of a key by walking that
    /// user's rows of the table (adjacent now) and never chose the index, which only cost its upkeep.
    /// </summary>
    private const string NotificationsByUser = """
        CREATE TABLE kit_notifications_by_user_id (
            user_id    TEXT    NOT NULL,
            id         INTEGER NOT NULL,
            type       TEXT    NOT NULL,
            data       TEXT    NOT NULL,
            created_ms BIGINT  NOT NULL,
            is_read    INTEGER NOT NULL DEFAULT 0,
            replaces   TEXT    NULL,
            PRIMARY KEY (user_id, id)) WITHOUT ROWID;
        INSERT INTO kit_notifications_by_user_id (user_id, id, type, data, created_ms, is_read, replaces)
            SELECT user_id, id, type, data, created_ms, is_read, replaces FROM kit_notifications;
        CREATE TABLE kit_sequences (
            name    TEXT    NOT NULL PRIMARY KEY,
            last_id INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO kit_sequences (name, last_id) SELECT 'kit_notifications', COALESCE(MAX(id), 0) FROM kit_notifications;
        DROP TABLE kit_notifications;
        ALTER TABLE kit_notifications_by_user_id RENAME TO kit_notifications;
        """;

    /// <summary>
    /// A notification's <c>replaces</c> key (null for most): a newer notification of the same user and key deletes it while
    /// it is unread (<see cref="PublicationBatch.Notify{T}(string, string, T, System.Text.Json.Serialization.Metadata.JsonTypeInfo{T}, string?)"/>).
    /// The index holds only unread rows with a key, so it costs nothing for other notifications and stays small: at most
    /// one row per user and key.
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
