using Hubbub.Core;
using Hubbub.Features.Kit.Text;

namespace Hubbub.Features.Gamification;

/// <summary>
/// Validates definitions before anything is stored: each refusal is <c>bad_request</c> (or <c>too_large</c>) naming
/// the field and what it accepts. Returns the definition as it will be stored (trimmed, defaults filled in).
/// </summary>
internal static class DefinitionRules
{
    public const int MaxKeyLength = 64;
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 1000;
    public const long MaxXp = 1_000_000;
    public const double MaxThreshold = 1e12;
    public const long MaxQuestCount = 1_000_000;
    public const int MaxGraceDays = 365;

    public static readonly string[] Rarities = ["common", "rare", "epic", "legendary"];
    public static readonly string[] QuestPeriods = ["daily", "weekly"];
    public static readonly string[] Operators = ["incr", "best", "set"];
    public static readonly string[] BoardPeriods = ["all", "daily", "weekly", "monthly"];
    public static readonly string[] Orders = ["desc", "asc"];

    /// <summary>The source of a board fed by XP gained.</summary>
    public const string XpSource = "xp";

    public static XpRuleView Rule(XpRuleRequest r, DateTime now)
    {
        var type = EventType(r.Type, "type");
        if (r.Xp is { } xp)
        {
            if (r.Field is not null || r.Factor is not null || r.Max is not null)
            {
                throw HubbubException.BadRequest("a rule gives either a fixed 'xp' or 'field' × 'factor' (with 'max'), not both");
            }
            return new XpRuleView(type, Xp(xp, "xp"), null, null, null, now);
        }
        if (r.Field is null)
        {
            throw HubbubException.BadRequest("a rule needs 'xp' (a fixed amount) or 'field' and 'factor' (XP from a numeric data field)");
        }
        var field = Field(r.Field, "field");
        var factor = r.Factor is { } f && double.IsFinite(f) && f > 0 && f <= MaxXp
            ? f
            : throw HubbubException.BadRequest($"'factor' must be a number above 0 and at most {MaxXp}");
        return new XpRuleView(type, null, field, factor, r.Max is { } max ? Xp(max, "max") : null, now);
    }

    public static AchievementView Achievement(AchievementRequest r, DateTime now)
    {
        var key = Key(r.Key);
        var field = r.Field is null ? null : Field(r.Field, "field");
        var threshold = r.Threshold is { } t && double.IsFinite(t) && t > 0 && t <= MaxThreshold
            ? t
            : throw HubbubException.BadRequest($"'threshold' must be a number above 0 and at most {MaxThreshold:0}");
        if (r.AtLeast is { } atLeast && (field is null || !double.IsFinite(atLeast) || Math.Abs(atLeast) > EventProcessor.MaxCountedNumber))
        {
            throw HubbubException.BadRequest(field is null
                ? "'at_least' needs a 'field': it counts the events whose data[field] is at least that"
                : $"'at_least' must be a number from -{EventProcessor.MaxCountedNumber:0} to {EventProcessor.MaxCountedNumber:0}");
        }
        if ((field is null || r.AtLeast is not null) && threshold != Math.Floor(threshold))
        {
            throw HubbubException.BadRequest("'threshold' of an achievement counting events (no 'field', or 'at_least') must be a whole number");
        }
        return new AchievementView(key, Name(r.Name), Description(r.Description), OneOf(r.Rarity ?? "common", "rarity", Rarities),
            Xp(r.Xp ?? 0, "xp"), r.Hidden ?? false, EventType(r.Type, "type"), field, threshold, now, r.AtLeast);
    }

    public static QuestView Quest(QuestRequest r, DateTime now)
    {
        var key = Key(r.Key);
        var count = r.Count is { } c && c >= 1 && c <= MaxQuestCount
            ? c
            : throw HubbubException.BadRequest($"'count' must be a whole number from 1 to {MaxQuestCount}");
        return new QuestView(key, Name(r.Name), OneOf(r.Period, "period", QuestPeriods), EventType(r.Type, "type"), count,
            Xp(r.Xp ?? 0, "xp"), now);
    }

    public static StreakView Streak(StreakRequest r, DateTime now)
    {
        var key = Key(r.Key);
        if (r.GraceDays is { } g && (g < 0 || g > MaxGraceDays))
        {
            throw HubbubException.BadRequest($"'grace_days' must be from 0 to {MaxGraceDays}");
        }
        return new StreakView(key, Name(r.Name), EventType(r.Type, "type"), r.GraceDays, now);
    }

    public static LeaderboardView Leaderboard(LeaderboardRequest r, DateTime now)
    {
        var key = Key(r.Key);
        var name = Name(r.Name);
        var source = r.Source switch
        {
            null => throw HubbubException.BadRequest("'source' is required: \"xp\", an event type, or \"type:field\""),
            XpSource => XpSource,
            _ when r.Source.Split(':') is [var type, var field] => $"{EventType(type, "source")}:{Field(field, "source")}",
            _ => EventType(r.Source, "source"),
        };
        return new LeaderboardView(key, name, source, OneOf(r.Operator ?? "incr", "operator", Operators),
            OneOf(r.Period ?? "all", "period", BoardPeriods), OneOf(r.Order ?? "desc", "order", Orders), now);
    }

    /// <summary>The event type a board listens to (null: it is fed by XP) and the data field it reads (null: it counts events).</summary>
    public static (string? Type, string? Field) SourceOf(string source) =>
        source == XpSource ? (null, null) : source.Split(':') is [var type, var field] ? (type, field) : (source, null);

    /// <summary>A definition key: it names a channel (<c>leaderboard:{key}</c>) and a path segment.</summary>
    public static string Key(string? key) => Word(key, "key", allowDot: true);

    /// <summary>Levels above 1 a curve may define (level 1001 at most).</summary>
    public const int MaxLevels = 1000;

    /// <summary>The largest total XP a threshold may name (what JSON numbers hold exactly).</summary>
    public const long MaxLevelXp = 9_007_199_254_740_991;

    /// <summary>A level curve: at least one threshold, each positive, above the one before, within <see cref="MaxLevelXp"/>.</summary>
    public static IReadOnlyList<long> Levels(LevelsRequest r)
    {
        if (r.Thresholds is not { Count: > 0 } thresholds)
        {
            throw HubbubException.BadRequest("'thresholds' must list the total XP of level 2, 3, … (at least one)");
        }
        if (thresholds.Count > MaxLevels)
        {
            throw HubbubException.TooLarge($"'thresholds' may list at most {MaxLevels} levels");
        }
        for (var i = 0; i < thresholds.Count; i++)
        {
            if (thresholds[i] <= 0 || thresholds[i] > MaxLevelXp || (i > 0 && thresholds[i] <= thresholds[i - 1]))
            {
                throw HubbubException.BadRequest(
                    $"'thresholds' must be positive whole numbers up to {MaxLevelXp}, each above the one before (entry {i} is {thresholds[i]})");
            }
        }
        return [.. thresholds];
    }

    /// <summary>An event type: the app's own name (<c>workout.completed</c>), no ':' (which separates a board's source field).</summary>
    public static string EventType(string? type, string field) => Word(type, field, allowDot: true);

    /// <summary>A top-level field of an event's <c>data</c> object.</summary>
    public static string Field(string? name, string field) => Word(name, field, allowDot: false);

    private static string Word(string? value, string field, bool allowDot)
    {
        if (value is null || value.Length == 0 || value.Length > MaxKeyLength
            || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' || (allowDot && c == '.')))
        {
            throw HubbubException.BadRequest(
                $"'{field}' must be 1-{MaxKeyLength} letters, digits, '_' or '-'{(allowDot ? " or '.'" : "")}");
        }
        return value;
    }

    private static string Name(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw HubbubException.BadRequest("'name' is required");
        }
        name = name.Trim();
        if (name.Any(char.IsControl))
        {
            throw HubbubException.BadRequest("'name' must not contain control characters");
        }
        StoredText.Check(name, "name");
        return name.Length > MaxNameLength ? throw HubbubException.TooLarge($"'name' is longer than {MaxNameLength} characters") : name;
    }

    private static string Description(string? description)
    {
        description = description?.Trim() ?? "";
        StoredText.Check(description, "description");
        return description.Length > MaxDescriptionLength
            ? throw HubbubException.TooLarge($"'description' is longer than {MaxDescriptionLength} characters")
            : description;
    }

    private static long Xp(long xp, string field) =>
        xp is >= 0 and <= MaxXp ? xp : throw HubbubException.BadRequest($"'{field}' must be a whole number from 0 to {MaxXp}");

    private static string OneOf(string? value, string field, string[] allowed) =>
        value is not null && allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw HubbubException.BadRequest($"'{field}' must be one of {string.Join(", ", allowed)}");
}
