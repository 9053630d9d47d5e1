using System.Globalization;
using System.Text.Json;
using CsCheck;

namespace Hubbub.Server.Tests.Fuzz;

/// <summary>
/// Random JSON texts (nested up to three levels; odd numbers, long and non-ASCII strings, escapes) and mutations of
/// valid requests: a field's value replaced by a random one, a field dropped, an unknown field added, the whole
/// object replaced. Used for WebSocket commands and REST bodies alike.
/// </summary>
internal static class JsonGen
{
    private static readonly Gen<string> Number = Gen.OneOf(
        Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Long.Select(l => l.ToString(CultureInfo.InvariantCulture)),
        Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "1e308"),
        Gen.OneOf(Gen.Const("-0"), Gen.Const("1e400"), Gen.Const("-1e400"), Gen.Const("123456789012345678901234567890"), Gen.Const("0.0000001"),
            Gen.Const("9223372036854775808"), Gen.Const("-9223372036854775809")));

    private static readonly Gen<string> Text = Gen.Frequency(
        (6, Gen.String[0, 30]),
        (1, Gen.Int[1_000, 70_000].Select(n => new string('x', n))),
        (2, Gen.OneOf(Gen.Const(""), Gen.Const(" "), Gen.Const("me"), Gen.Const("../../etc"), Gen.Const("public:lobby"), Gen.Const("user:"),
            Gen.Const("\u0000"), Gen.Const("\ud83d\ude00"), Gen.Const("a:b:c"), Gen.Const("0"), Gen.Const("-1"), Gen.Const("<script>"))));

    /// <summary>A JSON string literal.</summary>
    public static readonly Gen<string> StringLiteral = Text.Select(s => JsonSerializer.Serialize(s));

    private static readonly Gen<string> Scalar = Gen.Frequency(
        (3, StringLiteral), (3, Number), (1, Gen.Const("true")), (1, Gen.Const("false")), (1, Gen.Const("null")));

    /// <summary>Any JSON value, nested up to <paramref name="depth"/> levels.</summary>
    public static Gen<string> Value(int depth = 3)
    {
        if (depth == 0)
        {
            return Scalar;
        }
        var inner = Value(depth - 1);
        return Gen.Frequency(
            (4, Scalar),
            (1, inner.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (2, Gen.Select(StringLiteral, inner).Array[0, 4].Select(fields => "{" + string.Join(",", fields.Select(f => f.Item1 + ":" + f.Item2)) + "}")));
    }

    /// <summary>
    /// A mutation of <paramref name="valid"/> (a JSON object text): one of its fields set to a random value, dropped, or
    /// an unknown field added; the object as it is; or a random value instead of it.
    /// </summary>
    public static Gen<string> Mutated(string valid)
    {
        var fields = JsonDocument.Parse(valid).RootElement.EnumerateObject().Select(p => (p.Name, Raw: p.Value.GetRawText())).ToArray();
        string Render(IEnumerable<(string Name, string Raw)> with) => "{" + string.Join(",", with.Select(f => JsonSerializer.Serialize(f.Name) + ":" + f.Raw)) + "}";
        var options = new List<(int, IGen<string>)>
        {
            (1, Gen.Const(valid)),
            (1, Value(2)),
            (1, Gen.Select(StringLiteral, Value(1), (name, value) => Render([.. fields, (JsonSerializer.Deserialize<string>(name)!, value)]))),
        };
        if (fields.Length > 0)
        {
            options.Add((4, Gen.Select(Gen.Int[0, fields.Length - 1], Value(2),
                (i, value) => Render(fields.Select((f, j) => j == i ? (f.Name, value) : f)))));
            options.Add((2, Gen.Int[0, fields.Length - 1].Select(i => Render(fields.Where((_, j) => j != i)))));
        }
        return Gen.Frequency([.. options]);
    }
}
