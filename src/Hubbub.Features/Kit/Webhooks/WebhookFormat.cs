using System.Globalization;

namespace Hubbub.Features.Kit.Webhooks;

/// <summary>How webhook ids and times are written: ids as decimal strings, times as UTC <see cref="DateTime"/>s.</summary>
internal static class WebhookFormat
{
    public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    public static DateTime Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;

    public static DateTime? Time(long? ms) => ms is { } value ? Time(value) : null;

    /// <summary>A path or cursor id; anything that is not one of ours is null.</summary>
    public static long? Parse(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
}
