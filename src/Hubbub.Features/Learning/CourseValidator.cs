using System.Globalization;
using Hubbub.Core;
using Hubbub.Features.Kit.Text;
using Hubbub.Protocol;

namespace Hubbub.Features.Learning;

/// <summary>
/// Turns a submitted course into a stored definition, or refuses it with the first problem found: <c>bad_request</c>
/// with a <c>reason</c> (<c>invalid_key</c>, <c>duplicate_key</c>, <c>missing_title</c>, <c>no_modules</c>,
/// <c>empty_module</c>, <c>unknown_prerequisite</c>, <c>cyclic_prerequisites</c>, <c>invalid_xp</c>,
/// <c>invalid_pass_mark</c>), or <c>too_large</c> past a limit (counted before any other work).
/// </summary>
internal static class CourseValidator
{
    /// <summary>Longest course, module or task key.</summary>
    public const int MaxKeyLength = 64;

    public static (string Title, CourseDefinition Definition) Validate(CourseRequest request, LearningOptions limits)
    {
        var title = Title(request.Title, "title", limits);
        if (request.Modules is not { Count: > 0 } modules)
        {
            throw Bad("no_modules", "'modules' must list at least one module");
        }
        if (modules.Count > limits.MaxModules)
        {
            throw HubbubException.TooLarge($"a course holds at most {limits.MaxModules} modules");
        }
        var total = modules.Sum(m => m?.Tasks?.Count ?? 0);
        if (total > limits.MaxTasks)
        {
            throw HubbubException.TooLarge($"a course holds at most {limits.MaxTasks} tasks");
        }

        var moduleKeys = new HashSet<string>(StringComparer.Ordinal);
        var taskKeys = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<ModuleDefinition>(modules.Count);
        foreach (var module in modules)
        {
            if (module is null)
            {
                throw HubbubException.BadRequest("a module must be an object");
            }
            var key = Key(module.Key, "module key");
            if (!moduleKeys.Add(key))
            {
                throw Bad("duplicate_key", $"module key '{key}' is used twice");
            }
            var moduleTitle = Title(module.Title, $"title of module '{key}'", limits);
            if (module.Tasks is not { Count: > 0 } tasks)
            {
                throw Bad("empty_module", $"module '{key}' must list at least one task");
            }
            if (tasks.Count > limits.MaxTasksPerModule)
            {
                throw HubbubException.TooLarge($"a module holds at most {limits.MaxTasksPerModule} tasks");
            }
            var taskDefinitions = new List<TaskDefinition>(tasks.Count);
            foreach (var task in tasks)
            {
                taskDefinitions.Add(Task(task, taskKeys, limits));
            }
            if (module.Prerequisites is { Count: var n } && n > limits.MaxModules)
            {
                throw HubbubException.TooLarge($"a module has at most {limits.MaxModules} prerequisites");
            }
            var prerequisites = (module.Prerequisites ?? []).Select(p => Key(p, $"prerequisite of module '{key}'"))
                .Distinct(StringComparer.Ordinal).ToList();
            result.Add(new ModuleDefinition(key, moduleTitle, prerequisites, module.Sequential ?? false, taskDefinitions));
        }
        CheckPrerequisites(result, moduleKeys);
        return (title, new CourseDefinition(result));
    }

    /// <summary>A course, module or task key: 1-64 letters, digits and <c>_ - .</c> (it appears in paths).</summary>
    public static string Key(string? key, string what) =>
        key is { Length: > 0 and <= MaxKeyLength } && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')
            ? key
            : throw Bad("invalid_key", $"{what} must be 1-{MaxKeyLength.ToString(CultureInfo.InvariantCulture)} letters, digits and _ - .");

    private static TaskDefinition Task(TaskInput? task, HashSet<string> taskKeys, LearningOptions limits)
    {
        if (task is null)
        {
            throw HubbubException.BadRequest("a task must be an object");
        }
        var key = Key(task.Key, "task key");
        if (!taskKeys.Add(key))
        {
            throw Bad("duplicate_key", $"task key '{key}' is used twice (task keys are unique in the whole course)");
        }
        var title = Title(task.Title, $"title of task '{key}'", limits);
        var xp = task.Xp ?? 0;
        if (xp < 0 || xp > limits.MaxTaskXp)
        {
            throw Bad("invalid_xp", $"xp of task '{key}' must be 0-{limits.MaxTaskXp}");
        }
        if (task.PassMark is { } mark && (!double.IsFinite(mark) || mark < 0 || mark > limits.MaxScore))
        {
            throw Bad("invalid_pass_mark", $"pass_mark of task '{key}' must be a number from 0 to {limits.MaxScore}");
        }
        return new TaskDefinition(key, title, xp, task.PassMark);
    }

    /// <summary>Every prerequisite names another module of the course, and following them never comes back (no cycle).</summary>
    private static void CheckPrerequisites(List<ModuleDefinition> modules, HashSet<string> keys)
    {
        foreach (var module in modules)
        {
            foreach (var prerequisite in module.Prerequisites)
            {
                if (!keys.Contains(prerequisite))
                {
                    throw Bad("unknown_prerequisite", $"module '{module.Key}' requires '{prerequisite}', which is not a module of this course");
                }
            }
        }
        // Depth-first search with three colours: meeting a module still on the path is a cycle, which we name.
        var byKey = modules.ToDictionary(m => m.Key, StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        void Visit(string key)
        {
            if (done.Contains(key))
            {
                return;
            }
            var at = path.IndexOf(key);
            if (at >= 0)
            {
                throw Bad("cyclic_prerequisites", $"prerequisites form a cycle: {string.Join(" -> ", path.Skip(at).Append(key))}");
            }
            path.Add(key);
            foreach (var prerequisite in byKey[key].Prerequisites)
            {
                Visit(prerequisite);
            }
            path.RemoveAt(path.Count - 1);
            done.Add(key);
        }
        foreach (var module in modules)
        {
            Visit(module.Key);
        }
    }

    private static string Title(string? title, string what, LearningOptions limits)
    {
        try
        {
            return StoredText.Title(title, limits.MaxTitleLength) ?? throw Bad("missing_title", $"'{what}' is required");
        }
        catch (HubbubException ex) when (ex.Reason is null)
        {
            // StoredText names the field 'title'; say which one.
            throw new HubbubException(ex.Code, $"{what}: {ex.Message}");
        }
    }

    private static HubbubException Bad(string reason, string message) => new(ErrorCodes.BadRequest, reason, message);
}
