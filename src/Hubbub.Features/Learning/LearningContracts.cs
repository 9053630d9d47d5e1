using System.Text.Json.Serialization;
using Hubbub.Features.Kit.Callers;

namespace Hubbub.Features.Learning;

/// <summary>
/// <c>POST /api/courses</c> and <c>PUT /api/courses/{id}</c> (server or admin): a course definition. Fields left out
/// are refused where required; <c>id</c> and <c>draft</c> are read on create only, <c>owner</c> on both.
/// </summary>
public sealed record CourseRequest(
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("modules")] IReadOnlyList<ModuleInput?>? Modules,
    [property: JsonPropertyName("id")] string? Id = null,
    [property: JsonPropertyName("owner")] string? Owner = null,
    [property: JsonPropertyName("draft")] bool? Draft = null);

/// <summary>A module as a definition names it.</summary>
public sealed record ModuleInput(
    [property: JsonPropertyName("key")] string? Key,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("tasks")] IReadOnlyList<TaskInput?>? Tasks,
    [property: JsonPropertyName("prerequisites")] IReadOnlyList<string?>? Prerequisites = null,
    [property: JsonPropertyName("sequential")] bool? Sequential = null);

/// <summary>A task as a definition names it.</summary>
public sealed record TaskInput(
    [property: JsonPropertyName("key")] string? Key,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("xp")] int? Xp = null,
    [property: JsonPropertyName("pass_mark")] double? PassMark = null);

/// <summary>A validated module of a stored course version.</summary>
/// <param name="Key">Unique in the course; the key prerequisites and progress name it by.</param>
/// <param name="Title">Its title.</param>
/// <param name="Prerequisites">Modules that must be completed before this one opens.</param>
/// <param name="Sequential">Whether its tasks open one after another, in the listed order.</param>
/// <param name="Tasks">Its tasks, at least one.</param>
public sealed record ModuleDefinition(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("prerequisites")] IReadOnlyList<string> Prerequisites,
    [property: JsonPropertyName("sequential")] bool Sequential,
    [property: JsonPropertyName("tasks")] IReadOnlyList<TaskDefinition> Tasks);

/// <summary>A validated task of a stored course version.</summary>
/// <param name="Key">Unique in the whole course: completions are kept by it, across versions.</param>
/// <param name="Title">Its title.</param>
/// <param name="Xp">The XP its completion announces (in <c>task.completed</c>; rules decide what is given).</param>
/// <param name="PassMark">The lowest score that completes it, or null when any completion counts.</param>
public sealed record TaskDefinition(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("xp")] int Xp,
    [property: JsonPropertyName("pass_mark")] double? PassMark);

/// <summary>A course with its current definition.</summary>
public sealed record CourseView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("owner")] string? Owner,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("modules")] IReadOnlyList<ModuleDefinition> Modules,
    [property: JsonPropertyName("task_count")] int TaskCount,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTime UpdatedAt);

/// <summary>A course in a list: its definition left out (<c>GET /api/courses/{id}</c> has it).</summary>
public sealed record CourseSummary(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("owner")] string? Owner,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("module_count")] int ModuleCount,
    [property: JsonPropertyName("task_count")] int TaskCount,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTime UpdatedAt);

/// <summary>A page of courses, newest first.</summary>
public sealed record CourseList(
    [property: JsonPropertyName("courses")] IReadOnlyList<CourseSummary> Courses,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>One learner's progress in one course, derived from their completions against the current version.</summary>
public sealed record ProgressView(
    [property: JsonPropertyName("course")] string Course,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("percent")] int Percent,
    [property: JsonPropertyName("completed_tasks")] int CompletedTasks,
    [property: JsonPropertyName("total_tasks")] int TotalTasks,
    [property: JsonPropertyName("completed")] bool Completed,
    [property: JsonPropertyName("modules")] IReadOnlyList<ModuleProgress> Modules,
    [property: JsonPropertyName("enrolled")] bool Enrolled,
    [property: JsonPropertyName("enrolled_at")] DateTime? EnrolledAt,
    [property: JsonPropertyName("last_activity_at")] DateTime? LastActivityAt,
    [property: JsonPropertyName("room")] string? Room);

/// <summary>A module's state for one learner.</summary>
public sealed record ModuleProgress(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("completed_tasks")] int CompletedTasks,
    [property: JsonPropertyName("total_tasks")] int TotalTasks,
    [property: JsonPropertyName("tasks"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<TaskProgress>? Tasks);

/// <summary>A task's state for one learner.</summary>
public sealed record TaskProgress(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("score")] double? Score,
    [property: JsonPropertyName("completed_at")] DateTime? CompletedAt);

/// <summary>A course's learners with their progress (tasks left out), newest enrolment first.</summary>
public sealed record LearnerList(
    [property: JsonPropertyName("learners")] IReadOnlyList<LearnerView> Learners,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>One learner of a course.</summary>
public sealed record LearnerView(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("progress")] ProgressView Progress);

/// <summary><c>POST /api/courses/{id}/enroll</c> and <c>learning.enroll</c>: optionally with a study-group room.</summary>
public sealed record EnrollRequest(
    [property: JsonPropertyName("course")] string? Course = null,
    [property: JsonPropertyName("room")] string? Room = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary><c>POST /api/courses/{id}/tasks/{key}/complete</c> and <c>learning.complete</c>.</summary>
public sealed record CompleteRequest(
    [property: JsonPropertyName("course")] string? Course = null,
    [property: JsonPropertyName("task")] string? Task = null,
    [property: JsonPropertyName("score")] double? Score = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary><c>GET /api/courses/{id}/progress</c> and <c>learning.progress</c>.</summary>
public sealed record ProgressRequest(
    [property: JsonPropertyName("course")] string? Course = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary><c>POST /api/courses/{id}/rooms</c> and <c>learning.link_room</c>: a study group for the course.</summary>
public sealed record LinkRoomRequest(
    [property: JsonPropertyName("room")] string? Room,
    [property: JsonPropertyName("course")] string? Course = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary>A room linked to a course.</summary>
public sealed record CourseRoomView(
    [property: JsonPropertyName("course")] string Course,
    [property: JsonPropertyName("room")] string Room,
    [property: JsonPropertyName("linked_by")] string? LinkedBy,
    [property: JsonPropertyName("linked_at")] DateTime LinkedAt);

/// <summary>A page of the rooms linked to a course, oldest link first; <c>next_cursor</c> asks for the next (null at the end).</summary>
public sealed record CourseRoomList([property: JsonPropertyName("rooms")] IReadOnlyList<CourseRoomView> Rooms,
    [property: JsonPropertyName("next_cursor")] string? NextCursor = null);

/// <summary>The definition of one course version as stored (JSON in <c>learning_course_versions</c>).</summary>
public sealed record CourseDefinition([property: JsonPropertyName("modules")] IReadOnlyList<ModuleDefinition> Modules)
{
    /// <summary>Every task of the course, in module order.</summary>
    public int TaskCount => Modules.Sum(m => m.Tasks.Count);
}

/// <summary>Source-generated JSON for the learning API, its events and its stored definitions.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CourseRequest))]
[JsonSerializable(typeof(CourseView))]
[JsonSerializable(typeof(CourseList))]
[JsonSerializable(typeof(CourseDefinition))]
[JsonSerializable(typeof(ProgressView))]
[JsonSerializable(typeof(LearnerList))]
[JsonSerializable(typeof(EnrollRequest))]
[JsonSerializable(typeof(CompleteRequest))]
[JsonSerializable(typeof(ProgressRequest))]
[JsonSerializable(typeof(LinkRoomRequest))]
[JsonSerializable(typeof(CourseRoomView))]
[JsonSerializable(typeof(CourseRoomList))]
[JsonSerializable(typeof(ProgressUpdate))]
[JsonSerializable(typeof(ModuleCompletedEvent))]
[JsonSerializable(typeof(CourseCompletedEvent))]
[JsonSerializable(typeof(MemberProgress))]
[JsonSerializable(typeof(TaskCompleted))]
[JsonSerializable(typeof(ModuleCompleted))]
[JsonSerializable(typeof(CourseCompleted))]
public sealed partial class LearningJsonContext : JsonSerializerContext;
