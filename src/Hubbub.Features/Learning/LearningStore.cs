using Hubbub.Storage;

namespace Hubbub.Features.Learning;

/// <summary>The learning SQL, portable between SQLite and PostgreSQL; every method runs in the caller's transaction.</summary>
internal static class LearningStore
{
    private const string CourseColumns = """
        c.id AS Id, c.title AS Title, c.owner AS Owner, c.state AS State, c.version AS Version,
        v.definition AS Definition, c.created_ms AS CreatedMs, c.updated_ms AS UpdatedMs
        """;

    private const string CourseFrom = "learning_courses c JOIN learning_course_versions v ON v.course_id = c.id AND v.version = c.version";

    public static Task<CourseRow?> FindCourseAsync(DatabaseTransaction tx, string id, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<CourseRow>($"SELECT {CourseColumns} FROM {CourseFrom} WHERE c.id = @id", new { id }, ct);

    /// <summary>The course, its row locked until the transaction ends (PostgreSQL), so edits and state changes queue up.</summary>
    public static async Task<CourseRow?> FindCourseForUpdateAsync(DatabaseTransaction tx, string id, CancellationToken ct)
    {
        // FOR UPDATE may not lock the joined version row's table alone; lock the course row first, then read.
        if (await tx.ExecuteScalarAsync<string>($"SELECT id FROM learning_courses WHERE id = @id{tx.ForUpdate}", new { id }, ct) is null)
        {
            return null;
        }
        return await FindCourseAsync(tx, id, ct);
    }

    /// <summary>Creates the course at version 1 unless its id is taken (false then), also when another creator races for it.</summary>
    public static async Task<bool> TryInsertCourseAsync(DatabaseTransaction tx, string id, string title, string? owner, string state,
        string definition, long now, CancellationToken ct)
    {
        if (await tx.ExecuteAsync(
                """
                INSERT INTO learning_courses (id, title, owner, state, version, created_ms, updated_ms)
                VALUES (@id, @title, @owner, @state, 1, @now, @now) ON CONFLICT (id) DO NOTHING
                """, new { id, title, owner, state, now }, ct) == 0)
        {
            return false;
        }
        await InsertVersionAsync(tx, id, 1, definition, now, ct);
        return true;
    }

    /// <summary>Stores <paramref name="version"/> of a course's definition and makes it the current one.</summary>
    public static async Task NewVersionAsync(DatabaseTransaction tx, string id, long version, string title, string? owner, string definition,
        long now, CancellationToken ct)
    {
        await InsertVersionAsync(tx, id, version, definition, now, ct);
        await tx.ExecuteAsync("UPDATE learning_courses SET version = @version, title = @title, owner = @owner, updated_ms = @now WHERE id = @id",
            new { id, version, title, owner, now }, ct);
    }

    public static Task SetStateAsync(DatabaseTransaction tx, string id, string state, long now, CancellationToken ct) =>
        tx.ExecuteAsync("UPDATE learning_courses SET state = @state, updated_ms = @now WHERE id = @id", new { id, state, now }, ct);

    /// <summary>
    /// A page of courses, newest first, after the cursor (<paramref name="beforeMs"/>, <paramref name="beforeId"/>): only
    /// of <paramref name="state"/> when given, and without drafts unless <paramref name="withDrafts"/>.
    /// </summary>
    public static async Task<List<CourseRow>> ListCoursesAsync(DatabaseTransaction tx, string? state, bool withDrafts, long? beforeMs,
        string? beforeId, int limit, CancellationToken ct) =>
        (await tx.QueryAsync<CourseRow>(
            $"""
            SELECT {CourseColumns} FROM {CourseFrom}
            WHERE (@state IS NULL OR c.state = @state) AND (@withDrafts = 1 OR c.state <> '{CourseStates.Draft}')
              AND (@beforeMs IS NULL OR c.created_ms < @beforeMs OR (c.created_ms = @beforeMs AND c.id < @beforeId))
            ORDER BY c.created_ms DESC, c.id DESC
            LIMIT @limit
            """, new { state, withDrafts = withDrafts ? 1 : 0, beforeMs, beforeId = beforeId ?? "", limit }, ct)).ToList();

    /// <summary>Enrols the learner unless they are already (true when this call enrolled them).</summary>
    public static async Task<bool> EnrollAsync(DatabaseTransaction tx, string course, string user, string? room, long now, CancellationToken ct) =>
        await tx.ExecuteAsync(
            """
            INSERT INTO learning_enrollments (course_id, user_id, room_id, enrolled_ms)
            VALUES (@course, @user, @room, @now) ON CONFLICT (course_id, user_id) DO NOTHING
            """, new { course, user, room, now }, ct) == 1;

    /// <summary>The learner's enrolment, locked (PostgreSQL) so one learner's completions in one course run one at a time.</summary>
    public static Task<EnrollmentRow?> LockEnrollmentAsync(DatabaseTransaction tx, string course, string user, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<EnrollmentRow>(
            $"""
            SELECT user_id AS UserId, room_id AS RoomId, enrolled_ms AS EnrolledMs, last_activity_ms AS LastActivityMs
            FROM learning_enrollments WHERE course_id = @course AND user_id = @user{tx.ForUpdate}
            """, new { course, user }, ct);

    public static Task<EnrollmentRow?> FindEnrollmentAsync(DatabaseTransaction tx, string course, string user, CancellationToken ct) =>
        tx.QuerySingleOrDefaultAsync<EnrollmentRow>(
            """
            SELECT user_id AS UserId, room_id AS RoomId, enrolled_ms AS EnrolledMs, last_activity_ms AS LastActivityMs
            FROM learning_enrollments WHERE course_id = @course AND user_id = @user
            """, new { course, user }, ct);

    public static Task SetStudyRoomAsync(DatabaseTransaction tx, string course, string user, string room, CancellationToken ct) =>
        tx.ExecuteAsync("UPDATE learning_enrollments SET room_id = @room WHERE course_id = @course AND user_id = @user", new { course, user, room }, ct);

    public static Task TouchAsync(DatabaseTransaction tx, string course, string user, long now, CancellationToken ct) =>
        tx.ExecuteAsync("UPDATE learning_enrollments SET last_activity_ms = @now WHERE course_id = @course AND user_id = @user",
            new { course, user, now }, ct);

    private const string LearnerPage = """
        SELECT user_id AS UserId, room_id AS RoomId, enrolled_ms AS EnrolledMs, last_activity_ms AS LastActivityMs
        FROM learning_enrollments
        WHERE course_id = @course
          AND (@beforeMs IS NULL OR enrolled_ms < @beforeMs OR (enrolled_ms = @beforeMs AND user_id < @beforeUser))
        ORDER BY enrolled_ms DESC, user_id DESC
        LIMIT @limit
        """;

    /// <summary>
    /// A page of a course's learners, newest enrolment first, after the cursor, and every completion of theirs in the
    /// course (one query each; the second joins the same page).
    /// </summary>
    public static async Task<(List<EnrollmentRow> Learners, List<CompletionRow> Completions)> LearnersAsync(DatabaseTransaction tx, string course,
        long? beforeMs, string? beforeUser, int limit, CancellationToken ct)
    {
        var parameters = new { course, beforeMs, beforeUser = beforeUser ?? "", limit };
        var learners = (await tx.QueryAsync<EnrollmentRow>(LearnerPage, parameters, ct)).ToList();
        var completions = (await tx.QueryAsync<CompletionRow>(
            $"""
            SELECT d.user_id AS UserId, d.task_key AS TaskKey, d.score AS Score, d.completed_ms AS CompletedMs
            FROM learning_completions d JOIN ({LearnerPage}) page ON page.UserId = d.user_id
            WHERE d.course_id = @course
            """, parameters, ct)).ToList();
        return (learners, completions);
    }

    /// <summary>Every task key the learner ever completed in the course (tasks since removed included).</summary>
    public static async Task<List<CompletionRow>> CompletionsAsync(DatabaseTransaction tx, string course, string user, CancellationToken ct) =>
        (await tx.QueryAsync<CompletionRow>(
            """
            SELECT user_id AS UserId, task_key AS TaskKey, score AS Score, completed_ms AS CompletedMs
            FROM learning_completions WHERE course_id = @course AND user_id = @user
            """, new { course, user }, ct)).ToList();

    /// <summary>Records a completion unless the task is already completed (true when this call recorded it).</summary>
    public static async Task<bool> TryCompleteAsync(DatabaseTransaction tx, string course, string user, string task, double? score, long now,
        CancellationToken ct) =>
        await tx.ExecuteAsync(
            """
            INSERT INTO learning_completions (course_id, user_id, task_key, score, completed_ms)
            VALUES (@course, @user, @task, @score, @now) ON CONFLICT (course_id, user_id, task_key) DO NOTHING
            """, new { course, user, task, score, now }, ct) == 1;

    /// <summary>Marks a module (or, with the empty key, the course) as celebrated for the learner; true the first time only.</summary>
    public static async Task<bool> TryReachAsync(DatabaseTransaction tx, string course, string user, string module, long now, CancellationToken ct) =>
        await tx.ExecuteAsync(
            """
            INSERT INTO learning_milestones (course_id, user_id, module_key, reached_ms)
            VALUES (@course, @user, @module, @now) ON CONFLICT (course_id, user_id, module_key) DO NOTHING
            """, new { course, user, module, now }, ct) == 1;

    public static async Task<List<CourseRoomRow>> RoomsAsync(DatabaseTransaction tx, string course, CancellationToken ct) =>
        (await tx.QueryAsync<CourseRoomRow>(
            "SELECT room_id AS RoomId, linked_by AS LinkedBy, linked_ms AS LinkedMs FROM learning_course_rooms WHERE course_id = @course ORDER BY linked_ms, room_id",
            new { course }, ct)).ToList();

    public static async Task<bool> TryLinkRoomAsync(DatabaseTransaction tx, string course, string room, string? by, long now, CancellationToken ct) =>
        await tx.ExecuteAsync(
            """
            INSERT INTO learning_course_rooms (course_id, room_id, linked_by, linked_ms)
            VALUES (@course, @room, @by, @now) ON CONFLICT (course_id, room_id) DO NOTHING
            """, new { course, room, by, now }, ct) == 1;

    private static Task InsertVersionAsync(DatabaseTransaction tx, string id, long version, string definition, long now, CancellationToken ct) =>
        tx.ExecuteAsync("INSERT INTO learning_course_versions (course_id, version, definition, created_ms) VALUES (@id, @version, @definition, @now)",
            new { id, version, definition, now }, ct);
}
