using System.Text.Json.Serialization;
using Hubbub.Features.Kit.DomainEvents;

namespace Hubbub.Features.Learning;

/// <summary>
/// What the learning feature tells the world: live events on <c>user:{id}</c> and <c>room:{id}</c> (through the
/// kit's outbox, after the commit) and domain events raised in the same transaction as the completion.
/// </summary>
public static class LearningEvents
{
    /// <summary>On <c>user:{id}</c>: a task was completed (data: <see cref="ProgressUpdate"/>).</summary>
    public const string ProgressUpdate = "progress_update";

    /// <summary>On <c>user:{id}</c>, and kept as a notification: a module was completed (data: <see cref="ModuleCompletedEvent"/>).</summary>
    public const string ModuleCompleted = "module_completed";

    /// <summary>On <c>user:{id}</c>, and kept as a notification: the course was completed (data: <see cref="CourseCompletedEvent"/>).</summary>
    public const string CourseCompleted = "course_completed";

    /// <summary>On <c>room:{id}</c> of a study group: a member's progress (data: <see cref="MemberProgress"/>).</summary>
    public const string MemberProgress = "member_progress";

    /// <summary>Domain event: a learner completed a task.</summary>
    public static readonly DomainEventKind<TaskCompleted> TaskCompletedKind = new("task.completed", LearningJsonContext.Default.TaskCompleted);

    /// <summary>Domain event: a learner completed a module (once per learner and module).</summary>
    public static readonly DomainEventKind<ModuleCompleted> ModuleCompletedKind = new("module.completed", LearningJsonContext.Default.ModuleCompleted);

    /// <summary>Domain event: a learner completed a course (once per learner and course).</summary>
    public static readonly DomainEventKind<CourseCompleted> CourseCompletedKind = new("course.completed", LearningJsonContext.Default.CourseCompleted);
}

/// <summary><c>progress_update</c>: the task just completed, its module, and the course's new percent.</summary>
public sealed record ProgressUpdate(
    [property: JsonPropertyName("course")] string Course,
    [property: JsonPropertyName("module")] string Module,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("percent")] int Percent,
    [property: JsonPropertyName("xp")] int Xp,
    [property: JsonPropertyName("score")] double? Score);

/// <summary><c>module_completed</c> (and its notification).</summary>
public sealed record ModuleCompletedEvent(
    [property: JsonPropertyName("course")] string Course,
    [property: JsonPropertyName("module")] string Module,
    [property: JsonPropertyName("title")] string Title);

/// <summary><c>course_completed</c> (and its notification).</summary>
public sealed record CourseCompletedEvent(
    [property: JsonPropertyName("course")] string Course,
    [property: JsonPropertyName("title")] string Title);

/// <summary><c>member_progress</c> on a study group's room.</summary>
public sealed record MemberProgress(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("course")] string Course,
    [property: JsonPropertyName("percent")] int Percent,
    [property: JsonPropertyName("module")] string? Module,
    [property: JsonPropertyName("task")] string? Task);

/// <summary>Domain event <c>task.completed</c>: <c>xp</c> is the task's, so a rule <c>{type, field: "xp", factor: 1}</c> gives it.</summary>
public sealed record TaskCompleted(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("course")] string Course,
    [property: JsonPropertyName("module")] string Module,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("xp")] int Xp,
    [property: JsonPropertyName("score"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Score);

/// <summary>Domain event <c>module.completed</c>.</summary>
public sealed record ModuleCompleted(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("course")] string Course,
    [property: JsonPropertyName("module")] string Module);

/// <summary>Domain event <c>course.completed</c>.</summary>
public sealed record CourseCompleted(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("course")] string Course);
