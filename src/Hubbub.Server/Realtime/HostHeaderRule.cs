namespace Hubbub.Server.Realtime;

/// <summary>
/// Which <c>Host</c> values Kestrel's HTTP layer takes for an origin-form request (any other gets 400): empty; a
/// name of letters, digits and <c>!$&amp;'()-._~</c>; or an IPv6 literal in brackets; each with an optional
/// <c>:port</c> of digits. The connection-level accept applies the same rule, so a head whose <c>Host</c> the HTTP
/// layer would refuse (<c>a b</c>, <c>evil/x</c>, <c>user@evil</c>, <c>127.0.0.1:abc</c>) is handed to it.
/// </summary>
internal static class HostHeaderRule
{
    private const string NameSymbols = "!$&'()-._~";

    /// <summary>True when Kestrel takes <paramref name="host"/> as a request's <c>Host</c>.</summary>
    public static bool IsValid(string host)
    {
        if (host.Length == 0)
        {
            return true;
        }
        if (host[0] == '[')
        {
            return IsIPv6Literal(host);
        }
        var end = 0;
        while (end < host.Length && (char.IsAsciiLetterOrDigit(host[end]) || NameSymbols.Contains(host[end], StringComparison.Ordinal)))
        {
            end++;
        }
        return end > 0 && IsPort(host, end);
    }

    private static bool IsIPv6Literal(string host)
    {
        var close = host.IndexOf(']', StringComparison.Ordinal);
        // "[::1]" is the shortest literal.
        if (close < 4)
        {
            return false;
        }
        for (var i = 1; i < close; i++)
        {
            if (!char.IsAsciiHexDigit(host[i]) && host[i] is not (':' or '.'))
            {
                return false;
            }
        }
        return IsPort(host, close + 1);
    }

    /// <summary>True when <paramref name="host"/> ends at <paramref name="from"/> or goes on with <c>:</c> and digits only.</summary>
    private static bool IsPort(string host, int from)
    {
        if (from == host.Length)
        {
            return true;
        }
        if (host[from] != ':' || from + 1 == host.Length)
        {
            return false;
        }
        for (var i = from + 1; i < host.Length; i++)
        {
            if (!char.IsAsciiDigit(host[i]))
            {
                return false;
            }
        }
        return true;
    }
}
