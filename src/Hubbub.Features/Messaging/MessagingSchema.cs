using Hubbub.Storage.Migrations;

namespace Hubbub.Features.Messaging;

/// <summary>The messaging tables. Times are Unix milliseconds; ids are generated integers, strings on the wire.</summary>
internal static class MessagingSchema
{
    public static void Declare(MigrationSet m) => m
        .Add(1, "users, conversations, participants, messages",
            sqlite: """
                CREATE TABLE chat_users (
                    id           TEXT PRIMARY KEY,
                    name         TEXT NOT NULL,
                    last_seen_ms BIGINT NULL);
                CREATE TABLE chat_conversations (
                    id               INTEGER PRIMARY KEY,
                    kind             TEXT   NOT NULL,
                    title            TEXT   NULL,
                    direct_key       TEXT   NULL,
                    created_ms       BIGINT NOT NULL,
                    last_activity_ms BIGINT NOT NULL);
                CREATE TABLE chat_messages (
                    id              INTEGER PRIMARY KEY,
                    conversation_id BIGINT  NOT NULL REFERENCES chat_conversations (id),
                    sender          TEXT    NOT NULL,
                    text            TEXT    NOT NULL,
                    client_id       TEXT    NULL,
                    created_ms      BIGINT  NOT NULL,
                    edited_ms       BIGINT  NULL,
                    deleted         INTEGER NOT NULL DEFAULT 0);
                """,
            postgres: """
                CREATE TABLE chat_users (
                    id           TEXT PRIMARY KEY,
                    name         TEXT NOT NULL,
                    last_seen_ms BIGINT NULL);
                CREATE TABLE chat_conversations (
                    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    kind             TEXT   NOT NULL,
                    title            TEXT   NULL,
                    direct_key       TEXT   NULL,
                    created_ms       BIGINT NOT NULL,
                    last_activity_ms BIGINT NOT NULL);
                CREATE TABLE chat_messages (
                    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    conversation_id BIGINT  NOT NULL REFERENCES chat_conversations (id),
                    sender          TEXT    NOT NULL,
                    text            TEXT    NOT NULL,
                    client_id       TEXT    NULL,
                    created_ms      BIGINT  NOT NULL,
                    edited_ms       BIGINT  NULL,
                    deleted         INTEGER NOT NULL DEFAULT 0);
                """)
        .Add(2, "participants and indexes", """
            CREATE TABLE chat_participants (
                conversation_id BIGINT NOT NULL REFERENCES chat_conversations (id),
                user_id         TEXT   NOT NULL,
                joined_ms       BIGINT NOT NULL,
                last_read_id    BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (conversation_id, user_id));
            CREATE INDEX chat_participants_by_user ON chat_participants (user_id, conversation_id);
            CREATE UNIQUE INDEX chat_conversations_direct ON chat_conversations (direct_key);
            CREATE INDEX chat_messages_by_conversation ON chat_messages (conversation_id, id);
            CREATE UNIQUE INDEX chat_messages_client_id ON chat_messages (conversation_id, sender, client_id);
            CREATE INDEX chat_conversations_activity ON chat_conversations (last_activity_ms);
            """)
        // "WHERE true": SQLite needs it to tell an upsert's ON CONFLICT from a join's ON.
        .Add(3, "users move to the kit's directory (kit_users)", """
            INSERT INTO kit_users (id, name, last_seen_ms) SELECT id, name, last_seen_ms FROM chat_users WHERE true
            ON CONFLICT (id) DO NOTHING;
            DROP TABLE chat_users;
            """);
}
