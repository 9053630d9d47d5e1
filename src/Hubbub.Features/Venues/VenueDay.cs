using System.Globalization;
using Hubbub.Core;

namespace Hubbub.Features.Venues;

/// <summary>
/// A venue's local days: which day an instant falls on in the venue's IANA time zone, and the instant each day
/// starts (local midnight, or the first local time after it where a DST change skips midnight).
/// </summary>
internal static class VenueDay
{
    private const string Format = "yyyy-MM-dd";

    /// <summary>The IANA zone <paramref name="id"/>; anything else is <c>bad_request</c>.</summary>
    public static TimeZoneInfo Zone(string? id)
    {
        if (id is { Length: > 0 and <= 64 } && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId)
        {
            return zone;
        }
        throw HubbubException.BadRequest("'timezone' must be an IANA time zone such as \"Europe/Berlin\"");
    }

    /// <summary>The zone of a stored venue (checked when it was stored; UTC if the machine no longer knows it).</summary>
    public static TimeZoneInfo StoredZone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>The local day of <paramref name="ms"/> (Unix milliseconds).</summary>
    public static DateOnly Of(long ms, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(ms), zone).DateTime);

    /// <summary>The day as stored and shown: <c>yyyy-MM-dd</c>.</summary>
    public static string Key(DateOnly day) => day.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>The first instant (Unix milliseconds) of local day <paramref name="day"/>.</summary>
    public static long StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        // Where a DST change skips midnight, the day starts at the first local minute that exists.
        for (var i = 0; i < 24 * 60 && zone.IsInvalidTime(local); i++)
        {
            local = local.AddMinutes(1);
        }
        // Where midnight happens twice, the day starts at the first of them (the larger offset).
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUnixTimeMilliseconds();
    }
}
