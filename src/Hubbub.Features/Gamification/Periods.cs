using System.Globalization;
using System.Text.RegularExpressions;

namespace Hubbub.Features.Gamification;

/// <summary>
/// Which period a moment falls in. Quests and streaks use the user's local calendar (their IANA time zone): a day
/// starts at local midnight, a week on Monday (ISO weeks). Leaderboards use UTC: one board has one clock for everyone.
/// </summary>
internal static partial class Periods
{
    /// <summary>
    /// The earliest year an event's <c>time</c> or a challenge's window may name: a period key has four digits of year,
    /// and a default date (a backend's empty <c>0001-01-01</c>) is a mistake to refuse, not a moment to score in.
    /// </summary>
    public const int EarliestYear = 1970;

    /// <summary>The user's local date at <paramref name="at"/>.</summary>
    public static DateOnly LocalDate(DateTimeOffset at, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    /// <summary>The key of a quest's current local period: <c>2026-12-01</c> (daily) or <c>2026-W49</c> (weekly).</summary>
    public static string QuestKey(string period, DateTimeOffset at, TimeZoneInfo zone) => DayOrWeekKey(period, LocalDate(at, zone));

    /// <summary>When the local period containing <paramref name="at"/> ends: the next local midnight (of a Monday, weekly).</summary>
    public static DateTimeOffset QuestResetsAt(string period, DateTimeOffset at, TimeZoneInfo zone)
    {
        var date = LocalDate(at, zone);
        var next = period == "weekly" ? date.AddDays(7 - ((int)date.DayOfWeek + 6) % 7) : date.AddDays(1);
        return LocalMidnight(next, zone);
    }

    /// <summary>
    /// The moment a local date starts. Where midnight is skipped by a daylight-saving change (the clock jumps from
    /// 23:59 to 01:00), the day starts when the clock resumes.
    /// </summary>
    public static DateTimeOffset LocalMidnight(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }

    /// <summary>The key of a board's period at <paramref name="at"/> (UTC): <c>all</c>, <c>2026-12-01</c>, <c>2026-W49</c>, <c>2026-12</c>.</summary>
    public static string BoardKey(string period, DateTimeOffset at)
    {
        var date = DateOnly.FromDateTime(at.UtcDateTime);
        return period switch
        {
            "all" => "all",
            "monthly" => date.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            _ => DayOrWeekKey(period, date),
        };
    }

    /// <summary>When a board's period containing <paramref name="at"/> ends (UTC), or null for <c>all</c>.</summary>
    public static DateTimeOffset? BoardResetsAt(string period, DateTimeOffset at)
    {
        var date = DateOnly.FromDateTime(at.UtcDateTime);
        DateOnly? next = period switch
        {
            "daily" => date.AddDays(1),
            "weekly" => date.AddDays(7 - ((int)date.DayOfWeek + 6) % 7),
            "monthly" => new DateOnly(date.Year, date.Month, 1).AddMonths(1),
            _ => null,
        };
        return next is { } d ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
    }

    /// <summary>When a past period of a board ended, from its key (null for <c>all</c>, or a key that is not one).</summary>
    public static DateTimeOffset? BoardKeyEnds(string period, string key) => period switch
    {
        "daily" when DateOnly.TryParseExact(key, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) =>
            BoardResetsAt(period, new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)),
        "monthly" when DateOnly.TryParseExact(key + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var m) =>
            BoardResetsAt(period, new DateTimeOffset(m.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)),
        "weekly" when WeekKey().Match(key) is { Success: true } w
            && int.Parse(w.Groups[1].Value, CultureInfo.InvariantCulture) is var year and >= 1 and <= 9998
            && int.Parse(w.Groups[2].Value, CultureInfo.InvariantCulture) is var week and >= 1 && week <= ISOWeek.GetWeeksInYear(year) =>
            new DateTimeOffset(ISOWeek.ToDateTime(year, week, DayOfWeek.Monday).AddDays(7), TimeSpan.Zero),
        _ => null,
    };

    /// <summary>Whether <paramref name="key"/> names a period of a board of <paramref name="period"/>.</summary>
    public static bool IsBoardKey(string period, string key) => period == "all" ? key == "all" : BoardKeyEnds(period, key) is not null;

    private static string DayOrWeekKey(string period, DateOnly date) => period == "weekly"
        ? string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(date.ToDateTime(TimeOnly.MinValue)):0000}-W{ISOWeek.GetWeekOfYear(date.ToDateTime(TimeOnly.MinValue)):00}")
        : date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(\d{4})-W(\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex WeekKey();
}
