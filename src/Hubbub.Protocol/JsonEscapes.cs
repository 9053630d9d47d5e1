namespace Hubbub.Protocol;

/// <summary>
/// JSON that parses but holds no Unicode text: a <c>\uXXXX</c> escape of half a surrogate pair (<c>"\ud800"</c>).
/// The parser takes it (it is JSON grammar), but it has no UTF-8 form, and a strict reader in another client throws on
/// it; so a frame or a body that holds one is refused alike over the WebSocket, the fallback and REST.
/// </summary>
public static class JsonEscapes
{
    /// <summary>Whether a <c>\\uXXXX</c> escape names half a surrogate pair without its other half.</summary>
    public static bool HasLoneSurrogate(ReadOnlySpan<byte> json)
    {
        for (var i = json.IndexOf((byte)'\\'); i >= 0 && i < json.Length - 1; i = NextEscape(json, i))
        {
            if (json[i + 1] != (byte)'u')
            {
                continue; // \\, \", \n…: the escaped character is skipped by NextEscape
            }
            var unit = Hex4(json, i + 2);
            if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                return true; // a low half with no high half before it (a pair's low half is consumed with its high half)
            }
            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                var next = i + 6;
                if (next + 1 >= json.Length || json[next] != (byte)'\\' || json[next + 1] != (byte)'u'
                    || Hex4(json, next + 2) is not (>= 0xDC00 and <= 0xDFFF))
                {
                    return true;
                }
                i = next; // the low half belongs to this pair
            }
        }
        return false;

        // After the escape at i (a backslash and the character it escapes), the next backslash.
        static int NextEscape(ReadOnlySpan<byte> json, int i)
        {
            var from = i + 2;
            if (from >= json.Length)
            {
                return -1;
            }
            var found = json[from..].IndexOf((byte)'\\');
            return found < 0 ? -1 : from + found;
        }

        // The value of 4 hex digits at i, or -1 (the parser then refuses the malformed escape itself).
        static int Hex4(ReadOnlySpan<byte> json, int i) =>
            i + 4 <= json.Length && int.TryParse(json.Slice(i, 4), System.Globalization.NumberStyles.AllowHexSpecifier,
                System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : -1;
    }

}
