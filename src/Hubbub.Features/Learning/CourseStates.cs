namespace Hubbub.Features.Learning;

/// <summary>A course's life: a draft is seen by the server and admins only; an archived course takes no new work.</summary>
public static class CourseStates
{
    /// <summary>Defined, not yet open to learners.</summary>
    public const string Draft = "draft";
    /// <summary>Open: learners enrol and complete tasks.</summary>
    public const string Published = "published";
    /// <summary>Closed: progress stays readable, enrolments and completions are refused (<c>course_archived</c>).</summary>
    public const string Archived = "archived";
}

/// <summary>The states of a module or task for one learner.</summary>
public static class ProgressStates
{
    /// <summary>A prerequisite (or, in a sequential module, an earlier task) is not completed yet.</summary>
    public const string Locked = "locked";
    /// <summary>May be worked on.</summary>
    public const string Open = "open";
    /// <summary>Done: every task (for a module), or completed (for a task).</summary>
    public const string Completed = "completed";
}
