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
        .Add(2, "the key of the unread notification a newer one replaces", ReplaceableNotifications, ReplaceableNotifications);

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
