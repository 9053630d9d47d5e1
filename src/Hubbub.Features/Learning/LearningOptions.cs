namespace Hubbub.Features.Learning;

/// <summary>Limits of the learning feature (configuration section <c>Learning</c>), validated at start.</summary>
public sealed class LearningOptions : Kit.Declaring.IFeatureOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Learning";

    /// <summary>Modules one course may hold.</summary>
    public int MaxModules { get; set; } = 50;

    /// <summary>Tasks one module may hold.</summary>
    public int MaxTasksPerModule { get; set; } = 100;

    /// <summary>Tasks one course may hold, over all its modules.</summary>
    public int MaxTasks { get; set; } = 500;

    /// <summary>Longest course, module or task title.</summary>
    public int MaxTitleLength { get; set; } = 200;

    /// <summary>Largest XP one task may give.</summary>
    public int MaxTaskXp { get; set; } = 100_000;

    /// <summary>Largest score (and pass mark) a task accepts.</summary>
    public double MaxScore { get; set; } = 1_000_000;

    /// <summary>Study-group rooms one course may be linked to.</summary>
    public int MaxRoomsPerCourse { get; set; } = 50;

    /// <summary>Largest request body of the learning API (bytes): a course definition of the largest size fits.</summary>
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>The problems with these settings, empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void AtLeast(string name, double value, double min)
        {
            if (value < min)
            {
                problems.Add($"Learning:{name} must be at least {min}.");
            }
        }
        AtLeast(nameof(MaxModules), MaxModules, 1);
        AtLeast(nameof(MaxTasksPerModule), MaxTasksPerModule, 1);
        AtLeast(nameof(MaxTasks), MaxTasks, 1);
        AtLeast(nameof(MaxTitleLength), MaxTitleLength, 1);
        AtLeast(nameof(MaxTaskXp), MaxTaskXp, 0);
        AtLeast(nameof(MaxScore), MaxScore, 1);
        AtLeast(nameof(MaxRoomsPerCourse), MaxRoomsPerCourse, 1);
        AtLeast(nameof(MaxBodyBytes), MaxBodyBytes, 1024);
        return problems;
    }
}
