namespace Hubbub.Features.Rooms;

/// <summary>Limits of the rooms feature (configuration section <c>Rooms</c>), validated at start.</summary>
public sealed class RoomsOptions : Kit.Declaring.IFeatureOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Rooms";

    /// <summary>Members one room may hold, the owner included.</summary>
    public int MaxMembers { get; set; } = 500;

    /// <summary>Longest room title.</summary>
    public int MaxTitleLength { get; set; } = 200;

    /// <summary>Largest request body of the rooms API (bytes).</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>The problems with these settings, empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxMembers < 1)
        {
            problems.Add("Rooms:MaxMembers must be at least 1.");
        }
        if (MaxTitleLength < 1)
        {
            problems.Add("Rooms:MaxTitleLength must be at least 1.");
        }
        if (MaxBodyBytes < 1024)
        {
            problems.Add("Rooms:MaxBodyBytes must be at least 1024.");
        }
        return problems;
    }
}
