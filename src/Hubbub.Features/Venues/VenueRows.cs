namespace Hubbub.Features.Venues;

// Settable properties: SQLite returns every integer as 64-bit, which Dapper converts for properties only.

internal class VenueRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public long Capacity { get; set; }
    public string Timezone { get; set; } = "UTC";
    public string Locations { get; set; } = "[]";
    public string? WhenFull { get; set; }
    public long CreatedMs { get; set; }
}

internal sealed class VisitRow
{
    public long Id { get; set; }
    public string VenueId { get; set; } = "";
    public string UserId { get; set; } = "";
    public string? Location { get; set; }
    public long CheckedInMs { get; set; }
    public long? CheckedOutMs { get; set; }
    public long? DurationS { get; set; }
    public long Auto { get; set; }
    public long OverCapacity { get; set; }
}

internal sealed class DayRow
{
    public string Day { get; set; } = "";
    public long Checkins { get; set; }
    public long Checkouts { get; set; }
    public long DurationSumS { get; set; }
    public long Peak { get; set; }
    public long? PeakMs { get; set; }
    public long LastPresent { get; set; }
}

internal sealed class ActivityRow
{
    public long Visit { get; set; }
    public long IsOut { get; set; }
    public string UserId { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Location { get; set; }
    public long AtMs { get; set; }
    public long? DurationS { get; set; }
    public long Auto { get; set; }
}
