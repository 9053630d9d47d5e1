using System.Globalization;
using System.Text.Json;
using static Hubbub.Features.Gamification.GamificationJsonContext;

namespace Hubbub.Features.Gamification;

/// <summary>
/// The JSON of an <c>overtaken</c> (<see cref="Overtaken"/>) made of a per-pass prefix: a pass tells up to
/// <see cref="GamificationOptions.OvertakenLimit"/> users the same board, passer and name, only the rank differs. The
/// prefix is the serializer's own output up to the rank (its escaping, its property order), so the text is the one
/// <c>JsonSerializer.Serialize(new Overtaken(…))</c> writes, byte for byte, at one string per user instead of a
/// serializer's run.
/// </summary>
internal static class OvertakenJson
{
    private const string RankAtEnd = "0}";

    /// <summary><c>{"board":…,"by":…,"name":…,"rank":</c> of the serializer, the rank's digits left out.</summary>
    public static string Prefix(string board, string by, string name)
    {
        var json = JsonSerializer.Serialize(new Overtaken(board, by, name, 0), Default.Overtaken);
        // The rank is the record's last property: a change of the contract's order must not pass unnoticed.
        if (!json.EndsWith("\"rank\":" + RankAtEnd, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"overtaken's JSON no longer ends with its rank: {json}");
        }
        return json[..^RankAtEnd.Length];
    }

    /// <summary>The JSON of <paramref name="rank"/> after <paramref name="prefix"/> (<see cref="Prefix"/>): the serializer writes a long as these digits.</summary>
    public static string WithRank(string prefix, long rank)
    {
        Span<char> digits = stackalloc char[20];
        rank.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        return string.Concat(prefix.AsSpan(), digits[..written], "}");
    }
}
