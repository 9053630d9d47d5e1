using System.Globalization;

namespace Hubbub.Features.Kit.Text;

/// <summary>
/// The one reader of the times a request names (<c>time</c> of an event, <c>starts_at</c>/<c>ends_at</c> of a challenge
/// or an auction): ISO-8601 date and time with seconds (a fraction optional) and a zone, <c>Z</c> or <c>±hh:mm</c>, or
/// none (UTC, as every time of the API is: a client's "2026-12-06T15:50:50" from a UTC clock). A free-form parse took
/// "05/12/2026" as 12 May, "Sun, 06 Dec 2026 16:30:00 GMT" and a bare "10:00" (today) as well.
/// </summary>
internal static class IsoTimes
{
    /// <summary>Longest time text read.</summary>
    public const int MaxLength = 64;

    private static readonly string[] Formats =
    [
        "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'",
        "yyyy'-'MM'-'dd'T'HH':'mm':'sszzz", "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFzzz",
        "yyyy'-'MM'-'dd'T'HH':'mm':'ss", "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF",
    ];

    /// <summary>Reads <paramref name="value"/> as an ISO-8601 time (see the class); false for anything else.</summary>
    public static bool TryParse(string? value, out DateTimeOffset time)
    {
        time = default;
        return value is { Length: > 0 and <= MaxLength }
            && DateTimeOffset.TryParseExact(value, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }
}
