using Hubbub.Core;

namespace Hubbub.Features.Kit.Declaring;

/// <summary>
/// A page of a bounded definition list (gamification's rules, achievements, quests, streaks, boards; social's activity
/// rules), by key in code-point order. Each such list has a configured bound (e.g. <c>Gamification:MaxDefinitions</c>),
/// so it is read whole and cut here; without a <c>limit</c> the page is the whole list (up to 10,000; the default bounds
/// are 1,000), as before pages existed. The cursor is the last key of the page (the next page holds the keys after it).
/// </summary>
internal static class KeyedPage
{
    /// <summary>The largest <c>limit</c>.</summary>
    public const int MaxLimit = 10_000;

    public static (List<T> Items, string? NextCursor) Of<T>(IEnumerable<T> all, Func<T, string> keyOf, string? after, int? limit)
    {
        if (limit is < 1 or > MaxLimit)
        {
            throw HubbubException.BadRequest($"'limit' must be between 1 and {MaxLimit}");
        }
        var size = limit ?? MaxLimit;
        var rest = all.Where(item => after is null || string.CompareOrdinal(keyOf(item), after) > 0)
            .OrderBy(keyOf, StringComparer.Ordinal)
            .Take(size + 1)
            .ToList();
        return rest.Count > size ? (rest[..size], keyOf(rest[size - 1])) : (rest, null);
    }
}
