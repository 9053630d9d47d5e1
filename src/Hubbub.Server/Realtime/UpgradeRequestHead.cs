using System.Buffers;
using System.Text;

namespace Hubbub.Server.Realtime;

/// <summary>What <see cref="UpgradeRequestHead.TryParse"/> made of the bytes a connection sent first.</summary>
internal enum UpgradeParse
{
    /// <summary>So far a <c>GET /ws</c> request, but its head has not fully arrived.</summary>
    NeedMore,

    /// <summary>Not a plain, well-formed WebSocket upgrade of <c>/ws</c>: the HTTP layer answers it.</summary>
    NotHandled,

    /// <summary>A complete, well-formed WebSocket upgrade of <c>/ws</c>.</summary>
    Parsed,
}

/// <summary>
/// The head of an HTTP/1.1 WebSocket upgrade of <c>/ws</c>, read straight from a connection's first bytes for
/// <see cref="ConnectionLevelAccept"/>. Deliberately narrow: anything unusual (another path or method, HTTP/1.0,
/// a body, a subprotocol, a repeated header this reads, obsolete line folding, non-ASCII bytes, a head over
/// <see cref="MaxLength"/>) is <see cref="UpgradeParse.NotHandled"/> and goes to the HTTP layer, which answers
/// it exactly as it always has, errors included.
/// </summary>
/// <param name="Target">The request target: <c>/ws</c> and the raw query, if any (<c>?…</c>).</param>
/// <param name="Host">The <c>Host</c> header.</param>
/// <param name="Key">The <c>Sec-WebSocket-Key</c> header (base64 of 16 bytes).</param>
/// <param name="Origin">The <c>Origin</c> header, when sent.</param>
/// <param name="Authorization">The <c>Authorization</c> header, when sent.</param>
/// <param name="Length">Bytes of the head, its closing blank line included.</param>
internal sealed record UpgradeRequestHead(string Target, string Host, string Key, string? Origin, string? Authorization, int Length)
{
    /// <summary>A longer head (a very long token, many headers) goes to the HTTP layer and its own limits.</summary>
    public const int MaxLength = 16 * 1024;

    private static ReadOnlySpan<byte> Prefix => "GET /ws"u8;
    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> Version => " HTTP/1.1"u8;

    /// <summary>The query part of <see cref="Target"/> (with its <c>?</c>), or null.</summary>
    public string? Query => Target.Length > 3 ? Target[3..] : null;

    /// <summary>Reads the head at the start of <paramref name="buffer"/>.</summary>
    public static UpgradeParse TryParse(ReadOnlySequence<byte> buffer, out UpgradeRequestHead? head)
    {
        head = null;
        // Decide on the first bytes when they can only be something else, so other requests pass at once.
        Span<byte> start = stackalloc byte[Prefix.Length + 1];
        var available = (int)Math.Min(buffer.Length, start.Length);
        buffer.Slice(0, available).CopyTo(start);
        var compared = Math.Min(available, Prefix.Length);
        if (!start[..compared].SequenceEqual(Prefix[..compared]))
        {
            return UpgradeParse.NotHandled;
        }
        if (available < start.Length)
        {
            return UpgradeParse.NeedMore;
        }
        if (start[^1] is not ((byte)' ' or (byte)'?'))
        {
            return UpgradeParse.NotHandled; // /ws/x, /wsx: the HTTP layer's 404s
        }

        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> headBytes, EndOfHead, advancePastDelimiter: true))
        {
            return buffer.Length > MaxLength ? UpgradeParse.NotHandled : UpgradeParse.NeedMore;
        }
        var length = (int)reader.Consumed;
        if (length > MaxLength)
        {
            return UpgradeParse.NotHandled;
        }
        var bytes = headBytes.IsSingleSegment ? headBytes.FirstSpan : headBytes.ToArray();
        head = Parse(bytes, length);
        return head is null ? UpgradeParse.NotHandled : UpgradeParse.Parsed;
    }

    /// <summary>The head without its closing blank line; null when it is not one this accepts.</summary>
    private static UpgradeRequestHead? Parse(ReadOnlySpan<byte> head, int length)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var requestLine = lineEnd < 0 ? head : head[..lineEnd];
        if (!requestLine.EndsWith(Version))
        {
            return null;
        }
        var target = requestLine[4..^Version.Length];
        if (!IsVisibleAscii(target))
        {
            return null;
        }

        string? host = null, upgrade = null, connection = null, key = null, version = null, origin = null, authorization = null;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            lineEnd = rest.IndexOf("\r\n"u8);
            var line = lineEnd < 0 ? rest : rest[..lineEnd];
            rest = lineEnd < 0 ? [] : rest[(lineEnd + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(line[..colon]) || !IsFieldValue(line[(colon + 1)..]))
            {
                return null; // also obsolete folding (a line starting with whitespace) and "name :"
            }
            var name = line[..colon];
            var value = Encoding.ASCII.GetString(line[(colon + 1)..].Trim(" \t"u8));
            var accepted = name.Length switch
            {
                4 when Is(name, "host"u8) => Set(ref host, value),
                6 when Is(name, "origin"u8) => Set(ref origin, value),
                7 when Is(name, "upgrade"u8) => Set(ref upgrade, value),
                10 when Is(name, "connection"u8) => Set(ref connection, value),
                13 when Is(name, "authorization"u8) => Set(ref authorization, value),
                14 when Is(name, "content-length"u8) => value == "0",
                17 when Is(name, "transfer-encoding"u8) => false,
                17 when Is(name, "sec-websocket-key"u8) => Set(ref key, value),
                21 when Is(name, "sec-websocket-version"u8) => Set(ref version, value),
                22 when Is(name, "sec-websocket-protocol"u8) => false, // none is offered; the HTTP layer answers as ever
                _ => true,
            };
            if (!accepted)
            {
                return null;
            }
        }

        return !string.IsNullOrEmpty(host)
            && string.Equals(upgrade, "websocket", StringComparison.OrdinalIgnoreCase)
            && HasUpgradeToken(connection)
            && version == "13"
            && IsValidKey(key)
            ? new UpgradeRequestHead(Encoding.ASCII.GetString(target), host, key!, origin, authorization, length)
            : null;
    }

    /// <summary>Sets a header read once; a repeated one is left to the HTTP layer.</summary>
    private static bool Set(ref string? field, string value)
    {
        if (field is not null)
        {
            return false;
        }
        field = value;
        return true;
    }

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> lowercase) => Ascii.EqualsIgnoreCase(name, lowercase);

    private static bool HasUpgradeToken(string? connection)
    {
        foreach (var token in (connection ?? string.Empty).Split(','))
        {
            if (token.Trim().Equals("upgrade", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>RFC 6455 4.2.1: the key is 16 random bytes in base64.</summary>
    private static bool IsValidKey(string? key)
    {
        Span<byte> decoded = stackalloc byte[16];
        return key is { Length: 24 } && Convert.TryFromBase64String(key, decoded, out var written) && written == 16;
    }

    private static bool IsVisibleAscii(ReadOnlySpan<byte> text) =>
        !text.IsEmpty && !text.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E);

    private static bool IsToken(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
        {
            if (b <= 0x20 || b >= 0x7F || "\"(),/:;<=>?@[\\]{}"u8.Contains(b))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsFieldValue(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if ((b < 0x20 && b != (byte)'\t') || b >= 0x7F)
            {
                return false;
            }
        }
        return true;
    }
}
