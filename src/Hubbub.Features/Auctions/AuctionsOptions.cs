namespace Hubbub.Features.Auctions;

/// <summary>Limits and policy of the auction house (configuration section <c>Auctions</c>), validated at start.</summary>
public sealed class AuctionsOptions : Kit.Declaring.IFeatureOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Auctions";

    /// <summary>Longest title.</summary>
    public int MaxTitleLength { get; set; } = 200;

    /// <summary>Longest description.</summary>
    public int MaxDescriptionLength { get; set; } = 4000;

    /// <summary>Longest time from start to (first) end.</summary>
    public int MaxDurationDays { get; set; } = 30;

    /// <summary>How far ahead an auction may be scheduled to start.</summary>
    public int MaxScheduleAheadDays { get; set; } = 365;

    /// <summary>Largest <c>extend_within_s</c> and <c>extend_by_s</c>.</summary>
    public int MaxExtendSeconds { get; set; } = 3600;

    /// <summary>When a request gives no <c>max_end_at</c>, extensions stop this long after the first <c>ends_at</c>.</summary>
    public int DefaultMaxExtensionMinutes { get; set; } = 60;

    /// <summary>The house's share of each sale in percent (0: none), paid to <see cref="HouseAccount"/> as a <c>fee</c> entry.</summary>
    public int FeePercent { get; set; }

    /// <summary>The user id the fees are paid to.</summary>
    public string HouseAccount { get; set; } = "house";

    /// <summary>How many bids the join state of <c>auction:{id}</c> carries.</summary>
    public int JoinStateBids { get; set; } = 10;

    /// <summary>How many auctions the lobby's join state lists (live and scheduled, ending soonest first).</summary>
    public int LobbySize { get; set; } = 50;

    /// <summary>Most auctions or bids one page lists.</summary>
    public int MaxPageSize { get; set; } = 100;

    /// <summary>Largest request body of the auctions API (bytes).</summary>
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>The problems with these settings, empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Require(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }
        Require(MaxTitleLength >= 1, "Auctions:MaxTitleLength must be at least 1.");
        Require(MaxDescriptionLength >= 0, "Auctions:MaxDescriptionLength must not be negative.");
        Require(MaxDurationDays >= 1, "Auctions:MaxDurationDays must be at least 1.");
        Require(MaxScheduleAheadDays >= 0, "Auctions:MaxScheduleAheadDays must not be negative.");
        Require(MaxExtendSeconds >= 1, "Auctions:MaxExtendSeconds must be at least 1.");
        Require(DefaultMaxExtensionMinutes >= 0, "Auctions:DefaultMaxExtensionMinutes must not be negative.");
        Require(FeePercent is >= 0 and <= 50, "Auctions:FeePercent must be from 0 to 50.");
        Require(Kit.Text.UserIds.IsValid(HouseAccount), "Auctions:HouseAccount must be a valid user id.");
        Require(JoinStateBids is >= 0 and <= 100, "Auctions:JoinStateBids must be from 0 to 100.");
        Require(LobbySize is >= 1 and <= 500, "Auctions:LobbySize must be from 1 to 500.");
        Require(MaxPageSize >= 1, "Auctions:MaxPageSize must be at least 1.");
        Require(MaxBodyBytes >= 1024, "Auctions:MaxBodyBytes must be at least 1024.");
        return problems;
    }
}
