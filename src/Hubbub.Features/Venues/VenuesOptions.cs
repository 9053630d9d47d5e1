namespace Hubbub.Features.Venues;

/// <summary>Settings of the check-ins feature (configuration section <c>Venues</c>), validated when the server starts.</summary>
public sealed class VenuesOptions : Kit.Declaring.IFeatureOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Venues";

    /// <summary>What <see cref="WhenFull"/> may say: a check-in at capacity is refused with <c>venue_full</c>.</summary>
    public const string Refuse = "refuse";

    /// <summary>What <see cref="WhenFull"/> may say: a check-in at capacity is accepted and flagged <c>over_capacity</c>.</summary>
    public const string Flag = "flag";

    /// <summary>
    /// Hours a visit may stay open before the server checks the member out (<c>auto: true</c>); default 12. Fractions
    /// are taken (0.25 is 15 minutes), so a short trial or an app's own test sees an automatic check-out in seconds.
    /// </summary>
    public double MaxSessionHours { get; set; } = 12;

    /// <summary>What a check-in at capacity does for venues that do not say (<c>refuse</c> or <c>flag</c>); default refuse.</summary>
    public string WhenFull { get; set; } = Refuse;

    /// <summary>Longest venue name (characters).</summary>
    public int MaxNameLength { get; set; } = 200;

    /// <summary>Most locations one venue lists.</summary>
    public int MaxLocations { get; set; } = 50;

    /// <summary>Longest location name (characters).</summary>
    public int MaxLocationLength { get; set; } = 100;

    /// <summary>Largest capacity a venue may declare.</summary>
    public int MaxCapacity { get; set; } = 1_000_000;

    /// <summary>Largest request body of the venues API (bytes).</summary>
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>The problems with these settings, empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!(MaxSessionHours >= 1.0 / 3600 && MaxSessionHours <= 24 * 14)) // NaN fails too
        {
            problems.Add("Venues:MaxSessionHours must be from 0.0003 (one second) to 336 hours; fractions are taken (0.25 is 15 minutes).");
        }
        if (WhenFull is not (Refuse or Flag))
        {
            problems.Add("Venues:WhenFull must be 'refuse' or 'flag'.");
        }
        if (MaxNameLength < 1 || MaxLocationLength < 1 || MaxLocations < 0 || MaxCapacity < 1)
        {
            problems.Add("Venues:MaxNameLength, MaxLocationLength and MaxCapacity must be at least 1, MaxLocations at least 0.");
        }
        if (MaxBodyBytes < 1024)
        {
            problems.Add("Venues:MaxBodyBytes must be at least 1024.");
        }
        return problems;
    }
}
