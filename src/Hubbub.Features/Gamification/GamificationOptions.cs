using System.Globalization;

namespace Hubbub.Features.Gamification;

/// <summary>Settings of the gamification feature (configuration section <c>Gamification</c>), validated at start.</summary>
public sealed class GamificationOptions : Kit.Declaring.IFeatureOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Gamification";

    /// <summary>Largest <see cref="OvertakenNotificationTopRank"/>: beyond any board's size, so it keeps every <c>overtaken</c>.</summary>
    public const int MaxOvertakenNotificationTopRank = 1_000_000_000;

    /// <summary>Highest level of the default curve.</summary>
    public const int DefaultMaxLevel = 100;

    /// <summary>
    /// A JSON file of definitions (<c>{"rules":[…],"achievements":[…],"quests":[…],"streaks":[…],"leaderboards":[…],"levels":{…}}</c>)
    /// stored when the server starts (each replaces the stored one of its key; an invalid file stops the start). Null: none.
    /// </summary>
    public string? RulesFile { get; set; }

    /// <summary>
    /// Total XP needed for level 2, 3, … in increasing order; the last one is the highest level. Null (the default): level
    /// n needs 50·n·(n−1) XP (100 for level 2, 300 for 3, 600 for 4, 1000 for 5, …) up to level 100. In force while no
    /// curve is stored (<c>POST /api/levels</c>).
    /// </summary>
    public long[]? LevelThresholds { get; set; }

    /// <summary>Days a streak may skip and go on (default 0: a missed local day breaks it). A streak may set its own.</summary>
    public int StreakGraceDays { get; set; }

    /// <summary>
    /// At most one <c>leaderboard_change</c> per board per this many ms (default 250), as a client receives them: the
    /// server spaces them <see cref="LeaderboardChangeSpacing"/> apart.
    /// </summary>
    public int LeaderboardChangeIntervalMs { get; set; } = 250;

    /// <summary>
    /// How far apart the server sends a board's <c>leaderboard_change</c>: the interval and a fifth more (300 ms for 250).
    /// Each frame still passes the scheduler, the broker and the socket, and the earlier one may be the slower of the two,
    /// so frames sent exactly an interval apart could reach a client a little nearer than the interval promises.
    /// </summary>
    internal TimeSpan LeaderboardChangeSpacing => TimeSpan.FromMilliseconds(LeaderboardChangeIntervalMs * 6 / 5);

    /// <summary>Rows of a board that live changes and a subscribe's join state cover (default 50).</summary>
    public int LeaderboardLiveRows { get; set; } = 50;

    /// <summary>
    /// Users told <c>overtaken</c> per pass at most, the nearest to the new score first (default 10; 0: nobody is told).
    /// </summary>
    public int OvertakenLimit { get; set; } = 10;

    /// <summary>
    /// An <c>overtaken</c> is also kept in the passed user's inbox only when the place they lost was within the board's top
    /// this many (default 10; 0: none is kept, live only; a value beyond a board's size keeps every one): the place they
    /// held before the pass, shared with whoever tied them, which is the event's <c>rank</c> − 1 (1 + the scores strictly
    /// better, and the mover's was not before). Losing 1st place is worth finding later; going from 4,812th to 4,813th is
    /// not, and keeping it cost most of an event's writes.
    /// </summary>
    public int OvertakenNotificationTopRank { get; set; } = 10;

    /// <summary>How far in the future an event's <c>time</c> may be, in seconds (default 300: clocks drift).</summary>
    public int MaxFutureSkewSeconds { get; set; } = 300;

    /// <summary>Definitions of each kind (rules, achievements, …) kept at most (default 1000).</summary>
    public int MaxDefinitions { get; set; } = 1000;

    /// <summary>Largest request body of the gamification API (bytes; a batch of 100 events must fit; default 1 MiB).</summary>
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Largest <c>data</c> of one event posted to <c>POST /api/events</c> (bytes of its JSON; default 64 KiB): every text
    /// has a limit, and an event's data is kept with it; a larger one is <c>too_large</c>, the whole batch refused.
    /// </summary>
    public int MaxEventDataBytes { get; set; } = 64 * 1024;

    /// <summary>The level curve these settings give.</summary>
    public LevelCurve Curve() => new(LevelThresholds ?? LevelCurve.Default(DefaultMaxLevel));

    /// <summary>The problems with these settings, empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (LevelThresholds is { } thresholds)
        {
            for (var i = 0; i < thresholds.Length; i++)
            {
                if (thresholds[i] <= 0 || (i > 0 && thresholds[i] <= thresholds[i - 1]))
                {
                    problems.Add($"Gamification:LevelThresholds must be positive and increasing (entry {i.ToString(CultureInfo.InvariantCulture)}).");
                    break;
                }
            }
        }
        Check(problems, StreakGraceDays, 0, 365, nameof(StreakGraceDays));
        Check(problems, LeaderboardChangeIntervalMs, 10, 60_000, nameof(LeaderboardChangeIntervalMs));
        Check(problems, LeaderboardLiveRows, 1, 1000, nameof(LeaderboardLiveRows));
        Check(problems, OvertakenLimit, 0, 100, nameof(OvertakenLimit));
        Check(problems, OvertakenNotificationTopRank, 0, MaxOvertakenNotificationTopRank, nameof(OvertakenNotificationTopRank));
        Check(problems, MaxFutureSkewSeconds, 0, 86_400, nameof(MaxFutureSkewSeconds));
        Check(problems, MaxDefinitions, 1, 100_000, nameof(MaxDefinitions));
        Check(problems, MaxBodyBytes, 1024, 16 * 1024 * 1024, nameof(MaxBodyBytes));
        Check(problems, MaxEventDataBytes, 2, 16 * 1024 * 1024, nameof(MaxEventDataBytes));
        return problems;
    }

    private static void Check(List<string> problems, int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            problems.Add($"Gamification:{name} must be between {min} and {max}.");
        }
    }
}
