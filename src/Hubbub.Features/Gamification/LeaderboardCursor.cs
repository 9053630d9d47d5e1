using System.Globalization;
using Hubbub.Core;

namespace Hubbub.Features.Gamification;

/// <summary>
/// The <c>cursor</c> of a leaderboard page: opaque to clients (they pass back the <c>next_cursor</c> an answer gave),
/// here the 0-based position the next page starts at. A position, not the last entry's score: the first entry's rank
/// is counted afresh on each page (1 + the strictly better scores), so ties split by a page boundary keep their shared
/// rank on both pages, and a past period, which no longer changes, pages exactly. On the current period, a user who
/// moves between two reads shifts the entries behind them by one (one may show twice, or not at all), as on any live
/// list read in pages.
/// </summary>
internal static class LeaderboardCursor
{
    /// <summary>The furthest a cursor may point: more entries than a board can hold (the in-memory index counts in <c>int</c>).</summary>
    private const long MaxPosition = int.MaxValue;

    /// <summary>The position a cursor names; 0 (the first page) without one.</summary>
    public static long Parse(string? cursor)
    {
        if (cursor is null)
        {
            return 0;
        }
        // Digits only (no sign, space, exponent or leading zero), so one position has one cursor.
        if (cursor.Length is 0 or > 10 || !cursor.All(char.IsAsciiDigit) || (cursor.Length > 1 && cursor[0] == '0')
            || !long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var position) || position > MaxPosition)
        {
            throw HubbubException.BadRequest("'cursor' is not one a leaderboard page gave: pass its next_cursor unchanged (or none for the first page)");
        }
        return position;
    }

    /// <summary>The cursor of the page starting at <paramref name="position"/>.</summary>
    public static string Of(long position) => position.ToString(CultureInfo.InvariantCulture);
}
