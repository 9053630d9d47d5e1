namespace Hubbub.Features.Social;

/// <summary>Limits of the social feed (configuration section <c>Social</c>), validated at start.</summary>
public sealed class SocialOptions : Kit.Declaring.IFeatureOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Social";

    /// <summary>Friends one user may have (a request that would pass it is <c>too_large</c>).</summary>
    public int MaxFriends { get; set; } = 5000;

    /// <summary>Longest activity title.</summary>
    public int MaxTitleLength { get; set; } = 200;

    /// <summary>Longest activity description.</summary>
    public int MaxDescriptionLength { get; set; } = 2000;

    /// <summary>Largest activity <c>data</c> (its JSON, in characters).</summary>
    public int MaxDataLength { get; set; } = 8192;

    /// <summary>Longest comment.</summary>
    public int MaxCommentLength { get; set; } = 1000;

    /// <summary>Activity rules that may be defined (a new type past it is <c>too_large</c>; the list's bound).</summary>
    public int MaxActivityRules { get; set; } = 1000;

    /// <summary>Newest comments each activity of a feed page carries.</summary>
    public int LatestComments { get; set; } = 3;

    /// <summary>
    /// Whether joining a challenge makes a card in the feed by the built-in rule when no activity rule for
    /// <c>challenge.joined</c> is stored (default true).
    /// </summary>
    public bool ChallengeActivities { get; set; } = true;

    /// <summary>Largest request body of the social API (bytes).</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// In Development, whether a fresh database gets a few friends and activities (alice, bob, carol, dave) so the
    /// console's social page is alive at once; never outside Development.
    /// </summary>
    public bool DevelopmentSeed { get; set; } = true;

    /// <summary>The problems with these settings, empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxFriends < 1 || MaxTitleLength < 1 || MaxDescriptionLength < 1 || MaxDataLength < 2 || MaxCommentLength < 1)
        {
            problems.Add("Social: MaxFriends, MaxTitleLength, MaxDescriptionLength, MaxCommentLength must be at least 1, MaxDataLength at least 2.");
        }
        if (MaxActivityRules is < 1 or > 10_000)
        {
            problems.Add("Social:MaxActivityRules must be between 1 and 10000.");
        }
        if (LatestComments is < 0 or > 20)
        {
            problems.Add("Social:LatestComments must be between 0 and 20.");
        }
        if (MaxBodyBytes < 1024)
        {
            problems.Add("Social:MaxBodyBytes must be at least 1024.");
        }
        return problems;
    }
}
