using System.Globalization;
using Hubbub.Core;
using Hubbub.Features.Kit.Text;

namespace Hubbub.Features.Gamification;

/// <summary>
/// Validates a challenge before anything is stored (each refusal <c>bad_request</c> or <c>too_large</c>, naming the
/// field), and the words of its API: states, ids, time formats.
/// </summary>
internal static class ChallengeRules
{
    public const int MaxTitleLength = 200;
    public const int MaxDurationDays = 366;
    public const string Upcoming = "upcoming", Active = "active", Ended = "ended";

    /// <summary>A list filter only: upcoming or active (not ended yet), what a page of challenges to join shows.</summary>
    public const string Current = "current";

    public static readonly string[] States = [Upcoming, Active, Ended, Current];

    /// <summary>A checked challenge, times in Unix milliseconds.</summary>
    public sealed record Checked(string Title, string Type, string? Field, double Goal, long StartsMs, long EndsMs, string? Key);

    public static Checked Check(ChallengeRequest r, DateTimeOffset now)
    {
        var title = Title(r.Title);
        var type = DefinitionRules.EventType(r.Type, "type");
        var field = r.Field is null ? null : DefinitionRules.Field(r.Field, "field");
        var goal = r.Goal is { } g && double.IsFinite(g) && g > 0 && g <= DefinitionRules.MaxThreshold
            ? g
            : throw HubbubException.BadRequest($"'goal' must be a number above 0 and at most {DefinitionRules.MaxThreshold:0}");
        if (field is null && goal != Math.Floor(goal))
        {
            throw HubbubException.BadRequest("'goal' of a challenge counting events (no 'field') must be a whole number");
        }
        var starts = Time(r.StartsAt, "starts_at");
        var ends = Time(r.EndsAt, "ends_at");
        if (ends <= starts)
        {
            throw HubbubException.BadRequest("'ends_at' must be after 'starts_at'");
        }
        if (ends <= now)
        {
            throw HubbubException.BadRequest("'ends_at' is in the past: nobody could take part");
        }
        if (ends - starts > TimeSpan.FromDays(MaxDurationDays))
        {
            throw HubbubException.BadRequest($"a challenge lasts at most {MaxDurationDays} days");
        }
        return new Checked(title, type, field, goal, starts.ToUnixTimeMilliseconds(), ends.ToUnixTimeMilliseconds(),
            r.Key is null ? null : DefinitionRules.Key(r.Key));
    }

    /// <summary>A challenge id (a positive whole number, as a string); anything else is <c>not_found</c>, as an unknown one is.</summary>
    public static long Id(string? id) =>
        id is { Length: > 0 and <= 19 } && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : id is null ? throw HubbubException.BadRequest("'challenge' is required") : throw NotFound();

    public static HubbubException NotFound() => HubbubException.NotFound("no such challenge");

    /// <summary>A list's <c>before</c> cursor: null for none (absent or empty), else a challenge id; anything else is <c>bad_request</c>.</summary>
    public static long? Cursor(string? before) =>
        string.IsNullOrEmpty(before) ? null
        : before.Length <= 19 && long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
        : throw HubbubException.BadRequest("'before' must be a cursor from a previous page");

    /// <summary>A state filter (<c>upcoming</c>, <c>active</c>, <c>ended</c>, <c>current</c>) or null.</summary>
    public static string? State(string? state) =>
        state is null || States.Contains(state, StringComparer.Ordinal)
            ? state
            : throw HubbubException.BadRequest($"'state' must be one of {string.Join(", ", States)}");

    public static string StateAt(ChallengeRow row, long nowMs) => nowMs < row.StartsMs ? Upcoming : nowMs < row.EndsMs ? Active : Ended;

    public static DateTime At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;

    public static string IdOf(long id) => id.ToString(CultureInfo.InvariantCulture);

    public static ChallengeView View(ChallengeRow row, long nowMs, ParticipantRow? me) =>
        new(IdOf(row.Id), row.Title, row.Type, row.Field, row.Goal, At(row.StartsMs), At(row.EndsMs), At(row.CreatedMs), StateAt(row, nowMs),
            row.Participants, me is null ? null : new ChallengeProgressView(me.Progress, me.CompletedMs is not null, At(me.JoinedMs),
                me.CompletedMs is { } done ? At(done) : null), row.Key);

    /// <summary>Ranks participant rows given in order, the first at <paramref name="firstRank"/> and position <paramref name="firstPosition"/>.</summary>
    public static List<ChallengeParticipant> Ranked(List<ParticipantRow> rows, long firstRank, long firstPosition)
    {
        var ranked = new List<ChallengeParticipant>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var rank = i == 0 ? firstRank : rows[i].Progress == rows[i - 1].Progress ? ranked[i - 1].Rank : firstPosition + i;
            ranked.Add(new ChallengeParticipant(rank, rows[i].User, rows[i].Name, rows[i].Progress, rows[i].CompletedMs is not null,
                At(rows[i].JoinedMs)));
        }
        return ranked;
    }

    private static string Title(string? title)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            throw HubbubException.BadRequest("'title' is required");
        }
        return StoredText.Title(title, MaxTitleLength)!;
    }

    private static DateTimeOffset Time(string? value, string field) =>
        IsoTimes.TryParse(value, out var at) && at.Year is >= Periods.EarliestYear and <= 9999
            ? at.ToUniversalTime()
            : throw HubbubException.BadRequest($"'{field}' is required: an ISO-8601 time such as \"2026-12-01T08:30:00Z\"");
}
