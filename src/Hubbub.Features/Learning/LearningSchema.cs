using Hubbub.Storage.Migrations;

namespace Hubbub.Features.Learning;

/// <summary>
/// The learning tables. A course's definition (modules and tasks) is kept per version, as JSON; progress is never
/// stored, only completions (keyed by task key) from which it is derived. Times are Unix milliseconds.
/// </summary>
internal static class LearningSchema
{
    public static void Declare(MigrationSet m) => m
        .Add(1, "courses, versions, enrolments, completions, milestones, study rooms", """
            CREATE TABLE learning_courses (
                id         TEXT    PRIMARY KEY,
                title      TEXT    NOT NULL,
                owner      TEXT    NULL,
                state      TEXT    NOT NULL,
                version    INTEGER NOT NULL,
                created_ms BIGINT  NOT NULL,
                updated_ms BIGINT  NOT NULL);
            CREATE INDEX learning_courses_by_created ON learning_courses (created_ms, id);
            CREATE TABLE learning_course_versions (
                course_id  TEXT    NOT NULL REFERENCES learning_courses (id),
                version    INTEGER NOT NULL,
                definition TEXT    NOT NULL,
                created_ms BIGINT  NOT NULL,
                PRIMARY KEY (course_id, version));
            CREATE TABLE learning_enrollments (
                course_id        TEXT   NOT NULL REFERENCES learning_courses (id),
                user_id          TEXT   NOT NULL,
                room_id          TEXT   NULL,
                enrolled_ms      BIGINT NOT NULL,
                last_activity_ms BIGINT NULL,
                PRIMARY KEY (course_id, user_id));
            CREATE INDEX learning_enrollments_by_time ON learning_enrollments (course_id, enrolled_ms, user_id);
            CREATE TABLE learning_completions (
                course_id    TEXT             NOT NULL,
                user_id      TEXT             NOT NULL,
                task_key     TEXT             NOT NULL,
                score        DOUBLE PRECISION NULL,
                completed_ms BIGINT           NOT NULL,
                PRIMARY KEY (course_id, user_id, task_key),
                FOREIGN KEY (course_id, user_id) REFERENCES learning_enrollments (course_id, user_id));
            CREATE TABLE learning_milestones (
                course_id  TEXT   NOT NULL,
                user_id    TEXT   NOT NULL,
                module_key TEXT   NOT NULL,
                reached_ms BIGINT NOT NULL,
                PRIMARY KEY (course_id, user_id, module_key));
            CREATE TABLE learning_course_rooms (
                course_id TEXT   NOT NULL REFERENCES learning_courses (id),
                room_id   TEXT   NOT NULL,
                linked_by TEXT   NULL,
                linked_ms BIGINT NOT NULL,
                PRIMARY KEY (course_id, room_id));
            """);
}
