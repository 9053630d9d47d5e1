using Hubbub.Storage.Migrations;

namespace Hubbub.Features.Rooms;

/// <summary>The rooms tables. Room ids are the name part of <c>room:{id}</c>; times are Unix milliseconds.</summary>
internal static class RoomsSchema
{
    public static void Declare(MigrationSet m) => m
        .Add(1, "rooms and members", """
            CREATE TABLE rooms (
                id         TEXT   PRIMARY KEY,
                title      TEXT   NULL,
                owner      TEXT   NOT NULL,
                created_ms BIGINT NOT NULL);
            CREATE TABLE room_members (
                room_id   TEXT   NOT NULL REFERENCES rooms (id),
                user_id   TEXT   NOT NULL,
                joined_ms BIGINT NOT NULL,
                PRIMARY KEY (room_id, user_id));
            CREATE INDEX room_members_by_user ON room_members (user_id, room_id);
            """);
}
