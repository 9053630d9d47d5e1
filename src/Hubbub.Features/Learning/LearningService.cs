using Hubbub.Core;
using Hubbub.Core.Channels;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Users;
using Hubbub.Features.Rooms;
using Hubbub.Protocol;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Learning;

/// <summary>
/// Learners in courses: enrolment, progress, task completion, a course's learners and its study-group rooms. Every
/// completion runs in one transaction holding the learner's enrolment row (so one learner's completions in one course
/// run one at a time, on every node): it records the completion once, derives progress (<see cref="ProgressCalculator"/>),
/// raises <c>task.completed</c> / <c>module.completed</c> / <c>course.completed</c> and writes the live events to the
/// outbox, all committed together.
/// </summary>
public sealed class LearningService(FeatureDatabase database, UserDirectory users, IOptions<LearningOptions> options)
{
    /// <summary>The milestone key of a whole course (module keys are never empty).</summary>
    private const string CourseMilestone = "";

    private LearningOptions Limits => options.Value;

    /// <summary>
    /// Enrols <paramref name="me"/> (idempotent: enrolling again changes nothing but the study room, when one is named).
    /// A named <c>room</c> must exist and have <paramref name="me"/> as a member; their progress then goes to it.
    /// </summary>
    public async Task<ProgressView> EnrollAsync(HubbubUser me, EnrollRequest request, CancellationToken cancellationToken = default)
    {
        var courseId = CourseValidator.Key(request.Course, "a course id");
        var room = request.Room is null ? null : await MemberRoomAsync(me, request.Room, cancellationToken);
        return await database.WriteAsync(async tx =>
        {
            var course = await OpenCourseAsync(tx, courseId, cancellationToken);
            var enrolled = await LearningStore.EnrollAsync(tx, courseId, me.Id, room, tx.NowMs, cancellationToken);
            if (!enrolled && room is not null)
            {
                await LearningStore.SetStudyRoomAsync(tx, courseId, me.Id, room, cancellationToken);
            }
            var progress = await ProgressInAsync(tx, course, me.Id, cancellationToken);
            if (room is not null)
            {
                // The group sees who joined the course with them, at the progress they bring.
                await tx.PublishAsync(StudyRooms.ChannelOf(room), LearningEvents.MemberProgress,
                    new MemberProgress(me.Id, me.Name, courseId, progress.Percent, null, null), LearningJsonContext.Default.MemberProgress, cancellationToken);
            }
            return progress;
        }, cancellationToken);
    }

    /// <summary>
    /// <paramref name="me"/>'s progress in a course, derived from their completions against its current version (a learner
    /// not enrolled reads zero, <c>enrolled: false</c>). A draft course is <c>not_found</c>.
    /// </summary>
    public async Task<ProgressView> ProgressAsync(HubbubUser me, ProgressRequest request, CancellationToken cancellationToken = default)
    {
        var courseId = CourseValidator.Key(request.Course, "a course id");
        return await database.ReadAsync(async tx =>
        {
            var course = await LearningStore.FindCourseAsync(tx, courseId, cancellationToken);
            if (course is null || course.State == CourseStates.Draft)
            {
                throw CoursesService.NotFound();
            }
            return await ProgressInAsync(tx, course, me.Id, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// Completes a task for <paramref name="me"/> (enrolling them when they are not): idempotent, so a retried completion
    /// (or two at once) is one completion, one set of events, and answers the same progress. Refused with <c>conflict</c>:
    /// <c>module_locked</c>, <c>task_locked</c>, <c>below_pass_mark</c> (nothing is recorded), <c>course_archived</c>.
    /// </summary>
    public async Task<ProgressView> CompleteAsync(HubbubUser me, CompleteRequest request, CancellationToken cancellationToken = default)
    {
        var courseId = CourseValidator.Key(request.Course, "a course id");
        var taskKey = CourseValidator.Key(request.Task, "a task key");
        if (request.Score is { } given && (!double.IsFinite(given) || given < 0 || given > Limits.MaxScore))
        {
            throw HubbubException.BadRequest($"'score' must be a number from 0 to {Limits.MaxScore}");
        }
        return await database.WriteAsync(async tx =>
        {
            var course = await OpenCourseAsync(tx, courseId, cancellationToken);
            var definition = CoursesService.Definition(course);
            var module = definition.Modules.FirstOrDefault(m => m.Tasks.Any(t => t.Key == taskKey))
                ?? throw HubbubException.NotFound($"course '{courseId}' has no task '{taskKey}'");
            var task = module.Tasks.First(t => t.Key == taskKey);

            await LearningStore.EnrollAsync(tx, courseId, me.Id, null, tx.NowMs, cancellationToken);
            var enrollment = await LearningStore.LockEnrollmentAsync(tx, courseId, me.Id, cancellationToken)
                ?? throw new InvalidOperationException("an enrolment just written is missing");
            var completions = await CompletionsAsync(tx, courseId, me.Id, cancellationToken);
            var before = ProgressCalculator.Compute(courseId, me.Id, (int)course.Version, definition, completions, enrollment, withTasks: true);
            if (completions.ContainsKey(taskKey))
            {
                return before; // a retry: already one completion, nothing more happens
            }
            if (ProgressCalculator.LockOf(before, module.Key, taskKey) is { } locked)
            {
                throw new HubbubException(ErrorCodes.Conflict, locked, locked == LearningReasons.ModuleLocked
                    ? $"module '{module.Key}' opens when its prerequisites are completed: {string.Join(", ", module.Prerequisites)}"
                    : $"module '{module.Key}' is sequential: complete the tasks before '{taskKey}' first");
            }
            if (task.PassMark is { } passMark)
            {
                var score = request.Score ?? throw HubbubException.BadRequest($"task '{taskKey}' has a pass mark: a 'score' is required");
                if (score < passMark)
                {
                    throw new HubbubException(ErrorCodes.Conflict, LearningReasons.BelowPassMark,
                        $"a score of {score} is below the pass mark of {passMark}: the task is not completed");
                }
            }

            await LearningStore.TryCompleteAsync(tx, courseId, me.Id, taskKey, request.Score, tx.NowMs, cancellationToken);
            await LearningStore.TouchAsync(tx, courseId, me.Id, tx.NowMs, cancellationToken);
            enrollment.LastActivityMs = tx.NowMs;
            completions[taskKey] = new CompletionRow { UserId = me.Id, TaskKey = taskKey, Score = request.Score, CompletedMs = tx.NowMs };
            var after = ProgressCalculator.Compute(courseId, me.Id, (int)course.Version, definition, completions, enrollment, withTasks: true);
            await AnnounceAsync(tx, me, course, definition, module, task, request.Score, after, cancellationToken);
            return after;
        }, cancellationToken);
    }

    /// <summary>
    /// A course's learners with their progress (tasks left out), newest enrolment first: for its owner, admins and the
    /// server (<paramref name="privileged"/>); anyone else is <c>forbidden</c>.
    /// </summary>
    public async Task<LearnerList> LearnersAsync(HubbubUser? me, bool privileged, string? course, string? cursor, int? limit,
        CancellationToken cancellationToken = default)
    {
        var courseId = CourseValidator.Key(course, "a course id");
        var size = CoursesService.Page(limit);
        var (beforeMs, beforeUser) = CoursesService.Cursor(cursor);
        var (row, learners, completions) = await database.ReadAsync(async tx =>
        {
            var found = await LearningStore.FindCourseAsync(tx, courseId, cancellationToken) ?? throw CoursesService.NotFound();
            if (!privileged && (me is null || found.Owner != me.Id))
            {
                throw found.State == CourseStates.Draft ? CoursesService.NotFound()
                    : HubbubException.Forbidden("only the course's owner, an admin or the server may list its learners");
            }
            var (page, done) = await LearningStore.LearnersAsync(tx, courseId, beforeMs, beforeUser, size + 1, cancellationToken);
            return (found, page, done);
        }, cancellationToken);
        var definition = CoursesService.Definition(row);
        var byUser = completions.ToLookup(c => c.UserId, StringComparer.Ordinal);
        var page = learners.Take(size).ToList();
        var views = new List<LearnerView>(page.Count);
        foreach (var learner in page)
        {
            var done = byUser[learner.UserId].ToDictionary(c => c.TaskKey, StringComparer.Ordinal);
            views.Add(new LearnerView(learner.UserId, await NameOfAsync(learner.UserId, cancellationToken),
                ProgressCalculator.Compute(courseId, learner.UserId, (int)row.Version, definition, done, learner, withTasks: false)));
        }
        var next = learners.Count > size ? $"{page[^1].EnrolledMs}:{page[^1].UserId}" : null;
        return new LearnerList(views, next);
    }

    /// <summary>
    /// Links a room to a course as a study group: its members' progress in the course then goes to <c>room:{id}</c>.
    /// The room's owner may, and the server and admins (<paramref name="privileged"/>). Linking again changes nothing.
    /// </summary>
    public async Task<(CourseRoomView Room, bool Created)> LinkRoomAsync(HubbubUser? me, bool privileged, LinkRoomRequest request,
        CancellationToken cancellationToken = default)
    {
        var courseId = CourseValidator.Key(request.Course, "a course id");
        var roomId = CheckRoomId(request.Room);
        var room = await StudyRooms.FindAsync(database.Database, roomId, cancellationToken) ?? throw HubbubException.NotFound("room not found");
        if (!privileged && (me is null || (room.Owner != me.Id && !me.IsAdmin)))
        {
            throw HubbubException.Forbidden("only the room's owner (or an admin or the server) may link it to a course");
        }
        return await database.WriteAsync(async tx =>
        {
            var course = await LearningStore.FindCourseForUpdateAsync(tx, courseId, cancellationToken);
            if (course is null || (course.State == CourseStates.Draft && !privileged))
            {
                throw CoursesService.NotFound();
            }
            var linked = await LearningStore.RoomsAsync(tx, courseId, cancellationToken);
            if (linked.Find(r => r.RoomId == roomId) is { } existing)
            {
                return (RoomView(courseId, existing), false);
            }
            if (linked.Count >= Limits.MaxRoomsPerCourse)
            {
                throw HubbubException.TooLarge($"a course is linked to at most {Limits.MaxRoomsPerCourse} rooms");
            }
            await LearningStore.TryLinkRoomAsync(tx, courseId, roomId, me?.Id, tx.NowMs, cancellationToken);
            return (new CourseRoomView(courseId, roomId, me?.Id, ProgressCalculator.Time(tx.NowMs)), true);
        }, cancellationToken);
    }

    /// <summary>
    /// A page of the rooms linked to a course, oldest link first (any signed-in user who may see the course): those after
    /// <paramref name="after"/> (a <c>next_cursor</c>), at most <paramref name="limit"/> (1–1000, default 100). The list is
    /// bounded by <c>Learning:MaxRoomsPerCourse</c>, so it is read whole and cut here.
    /// </summary>
    public async Task<CourseRoomList> RoomsAsync(bool privileged, string? course, string? after = null, int? limit = null,
        CancellationToken cancellationToken = default)
    {
        var courseId = CourseValidator.Key(course, "a course id");
        var size = limit switch
        {
            null => DefaultRoomPage,
            >= 1 and <= MaxRoomPage => limit.Value,
            _ => throw HubbubException.BadRequest($"'limit' must be between 1 and {MaxRoomPage}"),
        };
        var from = after is null ? (KeysetCursor?)null : KeysetCursor.Parse(after, ':', id => id.Length > 0);
        return await database.ReadAsync(async tx =>
        {
            var found = await LearningStore.FindCourseAsync(tx, courseId, cancellationToken);
            if (found is null || (found.State == CourseStates.Draft && !privileged))
            {
                throw CoursesService.NotFound();
            }
            var rest = (await LearningStore.RoomsAsync(tx, courseId, cancellationToken))
                .Where(r => from is not { } c || r.LinkedMs > c.Ms || (r.LinkedMs == c.Ms && string.CompareOrdinal(r.RoomId, c.Id) > 0))
                .OrderBy(r => r.LinkedMs).ThenBy(r => r.RoomId, StringComparer.Ordinal)
                .Take(size + 1)
                .ToList();
            var page = rest.Take(size).Select(r => RoomView(courseId, r)).ToList();
            var next = rest.Count > size ? KeysetCursor.Format(rest[size - 1].LinkedMs, rest[size - 1].RoomId, ':') : null;
            return new CourseRoomList(page, next);
        }, cancellationToken);
    }

    /// <summary>Rooms on a page of <see cref="RoomsAsync"/> without a <c>limit</c>, and the largest <c>limit</c>.</summary>
    private const int DefaultRoomPage = 100, MaxRoomPage = 1000;

    /// <summary>
    /// What a new completion tells: <c>progress_update</c> and <c>task.completed</c>; for each module (and the course)
    /// now completed and never celebrated before, <c>module_completed</c> / <c>course_completed</c> live, as a notification
    /// and as a domain event — once per learner and module ever (an edit that reopens a module does not pay twice);
    /// and <c>member_progress</c> to the learner's study rooms.
    /// </summary>
    private async Task AnnounceAsync(FeatureTransaction tx, HubbubUser me, CourseRow course, CourseDefinition definition, ModuleDefinition module,
        TaskDefinition task, double? score, ProgressView progress, CancellationToken ct)
    {
        var json = LearningJsonContext.Default;
        var user = FeatureTransaction.UserChannel(me.Id);
        await tx.PublishAsync(user, LearningEvents.ProgressUpdate, new ProgressUpdate(course.Id, module.Key, task.Key, progress.Percent, task.Xp, score),
            json.ProgressUpdate, ct);
        await tx.RaiseAsync(LearningEvents.TaskCompletedKind, new TaskCompleted(me.Id, course.Id, module.Key, task.Key, task.Xp, score), ct);
        foreach (var done in progress.Modules.Where(m => m.State == ProgressStates.Completed))
        {
            if (await LearningStore.TryReachAsync(tx, course.Id, me.Id, done.Key, tx.NowMs, ct))
            {
                var data = new ModuleCompletedEvent(course.Id, done.Key, definition.Modules.First(m => m.Key == done.Key).Title);
                await tx.PublishAsync(user, LearningEvents.ModuleCompleted, data, json.ModuleCompletedEvent, ct);
                await tx.NotifyAsync(me.Id, LearningEvents.ModuleCompleted, data, json.ModuleCompletedEvent, ct);
                await tx.RaiseAsync(LearningEvents.ModuleCompletedKind, new ModuleCompleted(me.Id, course.Id, done.Key), ct);
            }
        }
        if (progress.Completed && await LearningStore.TryReachAsync(tx, course.Id, me.Id, CourseMilestone, tx.NowMs, ct))
        {
            var data = new CourseCompletedEvent(course.Id, course.Title);
            await tx.PublishAsync(user, LearningEvents.CourseCompleted, data, json.CourseCompletedEvent, ct);
            await tx.NotifyAsync(me.Id, LearningEvents.CourseCompleted, data, json.CourseCompletedEvent, ct);
            await tx.RaiseAsync(LearningEvents.CourseCompletedKind, new CourseCompleted(me.Id, course.Id), ct);
        }
        var candidates = (await LearningStore.RoomsAsync(tx, course.Id, ct)).Select(r => r.RoomId);
        if (progress.Room is { } own)
        {
            candidates = candidates.Append(own);
        }
        var memberProgress = new MemberProgress(me.Id, me.Name, course.Id, progress.Percent, module.Key, task.Key);
        foreach (var room in await StudyRooms.OfMemberAsync(database.Database, me.Id, candidates, ct))
        {
            await tx.PublishAsync(StudyRooms.ChannelOf(room), LearningEvents.MemberProgress, memberProgress, json.MemberProgress, ct);
        }
    }

    /// <summary>A course that takes learners' work: not a draft (<c>not_found</c>), not archived (<c>conflict</c>).</summary>
    private static async Task<CourseRow> OpenCourseAsync(FeatureTransaction tx, string courseId, CancellationToken ct)
    {
        var course = await LearningStore.FindCourseAsync(tx, courseId, ct);
        if (course is null || course.State == CourseStates.Draft)
        {
            throw CoursesService.NotFound();
        }
        return course.State == CourseStates.Archived
            ? throw new HubbubException(ErrorCodes.Conflict, LearningReasons.CourseArchived, "the course is archived: it takes no new work")
            : course;
    }

    private static async Task<ProgressView> ProgressInAsync(Storage.DatabaseTransaction tx, CourseRow course, string user, CancellationToken ct)
    {
        var enrollment = await LearningStore.FindEnrollmentAsync(tx, course.Id, user, ct);
        var completions = enrollment is null ? [] : await CompletionsAsync(tx, course.Id, user, ct);
        return ProgressCalculator.Compute(course.Id, user, (int)course.Version, CoursesService.Definition(course), completions, enrollment, withTasks: true);
    }

    private static async Task<Dictionary<string, CompletionRow>> CompletionsAsync(Storage.DatabaseTransaction tx, string course, string user,
        CancellationToken ct) =>
        (await LearningStore.CompletionsAsync(tx, course, user, ct)).ToDictionary(c => c.TaskKey, StringComparer.Ordinal);

    /// <summary>The room, which must exist and have <paramref name="me"/> as a member.</summary>
    private async Task<string> MemberRoomAsync(HubbubUser me, string room, CancellationToken ct)
    {
        var id = CheckRoomId(room);
        var found = await StudyRooms.FindAsync(database.Database, id, ct) ?? throw HubbubException.NotFound("room not found");
        return found.Members.Contains(me.Id, StringComparer.Ordinal) ? id : throw HubbubException.Forbidden("you are not a member of this room");
    }

    private static string CheckRoomId(string? room) =>
        room is { Length: > 0 and <= RoomsService.MaxRoomIdLength } && ChannelName.IsValidName(room)
            ? room
            : throw HubbubException.BadRequest($"'room' must be a room id of 1-{RoomsService.MaxRoomIdLength} letters, digits and _ - . : @ = , |");

    private ValueTask<string> NameOfAsync(string user, CancellationToken ct) => users.NameOfAsync(user, ct);

    private static CourseRoomView RoomView(string course, CourseRoomRow row) =>
        new(course, row.RoomId, row.LinkedBy, ProgressCalculator.Time(row.LinkedMs));
}
