namespace Hubbub.Features.Learning;

// Settable properties: SQLite returns every integer as 64-bit, which Dapper converts for properties only.

internal sealed class CourseRow
{
    public string Id { get; set; } = "";
    public string Title { get; set; } = "";
    public string? Owner { get; set; }
    public string State { get; set; } = "";
    public long Version { get; set; }
    public string Definition { get; set; } = "";
    public long CreatedMs { get; set; }
    public long UpdatedMs { get; set; }
}

internal sealed class EnrollmentRow
{
    public string UserId { get; set; } = "";
    public string? RoomId { get; set; }
    public long EnrolledMs { get; set; }
    public long? LastActivityMs { get; set; }
}

internal sealed class CompletionRow
{
    public string UserId { get; set; } = "";
    public string TaskKey { get; set; } = "";
    public double? Score { get; set; }
    public long CompletedMs { get; set; }
}

internal sealed class CourseRoomRow
{
    public string RoomId { get; set; } = "";
    public string? LinkedBy { get; set; }
    public long LinkedMs { get; set; }
}
