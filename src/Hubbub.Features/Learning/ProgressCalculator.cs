namespace Hubbub.Features.Learning;

/// <summary>
/// The one place progress is derived: from a learner's completions (keyed by task key) against a course version. No
/// count is stored anywhere, so nothing can drift: a completion of a task the version no longer has is ignored, a
/// task it added counts as not done, and the percent is always the recount <c>floor(100 × done / total)</c>.
/// </summary>
/// <remarks>
/// A module is <c>completed</c> when each of its tasks is; otherwise <c>locked</c> while any prerequisite module is not
/// completed, else <c>open</c>. Completed wins over locked: work done stays done when an edit adds a prerequisite.
/// A task is <c>completed</c>, or <c>locked</c> (its module is, or in a sequential module an earlier task is not
/// completed), or <c>open</c>.
/// </remarks>
internal static class ProgressCalculator
{
    public static ProgressView Compute(string course, string user, int version, CourseDefinition definition,
        IReadOnlyDictionary<string, CompletionRow> completions, EnrollmentRow? enrollment, bool withTasks)
    {
        var moduleDone = definition.Modules.ToDictionary(m => m.Key, m => m.Tasks.All(t => completions.ContainsKey(t.Key)), StringComparer.Ordinal);
        var modules = new List<ModuleProgress>(definition.Modules.Count);
        var done = 0;
        var total = 0;
        foreach (var module in definition.Modules)
        {
            var locked = !moduleDone[module.Key] && module.Prerequisites.Any(p => !moduleDone[p]);
            var state = moduleDone[module.Key] ? ProgressStates.Completed : locked ? ProgressStates.Locked : ProgressStates.Open;
            var tasks = new List<TaskProgress>(withTasks ? module.Tasks.Count : 0);
            var moduleCount = 0;
            var earlierOpen = false; // in a sequential module: a task before this one is not completed
            foreach (var task in module.Tasks)
            {
                var completion = completions.GetValueOrDefault(task.Key);
                if (completion is not null)
                {
                    moduleCount++;
                }
                if (withTasks)
                {
                    var taskState = completion is not null ? ProgressStates.Completed
                        : locked || (module.Sequential && earlierOpen) ? ProgressStates.Locked
                        : ProgressStates.Open;
                    tasks.Add(new TaskProgress(task.Key, taskState, completion?.Score, completion is null ? null : Time(completion.CompletedMs)));
                }
                earlierOpen |= completion is null;
            }
            done += moduleCount;
            total += module.Tasks.Count;
            modules.Add(new ModuleProgress(module.Key, state, moduleCount, module.Tasks.Count, withTasks ? tasks : null));
        }
        return new ProgressView(course, user, version, Percent(done, total), done, total, total > 0 && done == total, modules,
            enrollment is not null, enrollment is null ? null : Time(enrollment.EnrolledMs),
            enrollment?.LastActivityMs is { } last ? Time(last) : null, enrollment?.RoomId);
    }

    /// <summary>Whole percent, rounded down: 100 only when every task is done.</summary>
    public static int Percent(int done, int total) => total == 0 ? 0 : (int)(done * 100L / total);

    /// <summary>
    /// Why <paramref name="task"/> may not be completed now (<c>module_locked</c> or <c>task_locked</c>), or null when it
    /// may; <paramref name="module"/> is the module holding it. The states come from <see cref="Compute"/>, so the
    /// refusal and what a learner sees never disagree.
    /// </summary>
    public static string? LockOf(ProgressView progress, string module, string task)
    {
        var state = progress.Modules.First(m => m.Key == module);
        if (state.State == ProgressStates.Locked)
        {
            return LearningReasons.ModuleLocked;
        }
        return state.Tasks!.First(t => t.Key == task).State == ProgressStates.Locked ? LearningReasons.TaskLocked : null;
    }

    public static DateTime Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;
}

/// <summary>The <c>reason</c>s of the learning feature's <c>conflict</c> refusals.</summary>
public static class LearningReasons
{
    /// <summary>The task's module has a prerequisite module not completed yet.</summary>
    public const string ModuleLocked = "module_locked";
    /// <summary>In a sequential module, a task before this one is not completed yet.</summary>
    public const string TaskLocked = "task_locked";
    /// <summary>The score is below the task's pass mark: nothing is recorded.</summary>
    public const string BelowPassMark = "below_pass_mark";
    /// <summary>The course is archived: no new enrolments or completions.</summary>
    public const string CourseArchived = "course_archived";
    /// <summary>A course with this id exists already.</summary>
    public const string CourseExists = "course_exists";
}
