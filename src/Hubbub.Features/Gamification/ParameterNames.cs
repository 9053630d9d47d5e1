using System.Collections.Concurrent;
using System.Globalization;

namespace Hubbub.Features.Gamification;

/// <summary>
/// SQL parameter names numbered by position (<c>a0</c>, <c>a1</c>, …), made once and shared: an event's statements name a
/// dozen or more, and building each name per event was garbage made on SQLite's one writer.
/// </summary>
internal static class ParameterNames
{
    private const int Kept = 64;

    private static readonly ConcurrentDictionary<string, string[]> ByPrefix = new(StringComparer.Ordinal);

    /// <summary>The name <paramref name="prefix"/> followed by <paramref name="i"/>.</summary>
    public static string Of(string prefix, int i) => i < Kept
        ? ByPrefix.GetOrAdd(prefix, static p => [.. Enumerable.Range(0, Kept).Select(n => Make(p, n))])[i]
        : Make(prefix, i);

    private static string Make(string prefix, int i) => prefix + i.ToString(CultureInfo.InvariantCulture);
}
