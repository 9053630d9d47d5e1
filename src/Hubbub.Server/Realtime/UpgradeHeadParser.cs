using System.Buffers;
using System.Text;

namespace Hubbub.Server.Realtime;

/// <summary>
/// Reads a connection's first request head for <see cref="ConnectionLevelAccept"/>, line by line as its bytes
/// arrive (each complete line is read once), and says as soon as it can whether the head is a plain upgrade the
/// connection layer may accept. The rule is "strictly well-formed and ordinary, or not mine": anything the HTTP
/// layer might answer otherwise than with the same 101 (anything it would refuse, and anything merely unusual) is
/// <see cref="UpgradeParse.NotHandled"/> and goes to the HTTP layer untouched, so both doors answer alike.
/// </summary>
/// <remarks>
/// Accepted: <c>GET /ws</c> with an optional query of URI characters, <c>HTTP/1.1</c>; every line ending in CRLF
/// (a bare LF, which Kestrel also takes, or a bare CR goes to the HTTP layer); header names that are tokens and
/// values of visible ASCII, spaces and tabs; one <c>Host</c> that Kestrel takes (<see cref="HostHeaderRule"/>);
/// at most one of each header read here and one <c>Content-Length: 0</c>; no <c>Transfer-Encoding</c> and no
/// subprotocol; the request line, the header count and the headers' size all below Kestrel's limits
/// (<see cref="HeadLimits"/>) and the whole head within <see cref="UpgradeRequestHead.MaxLength"/>.
/// </remarks>
internal sealed class UpgradeHeadParser(HeadLimits limits)
{
    private static ReadOnlySpan<byte> Prefix => "GET /ws"u8;
    private static ReadOnlySpan<byte> Version => " HTTP/1.1"u8;

    private long _nextLine;
    private UpgradeParse _verdict = UpgradeParse.NeedMore;
    private UpgradeRequestHead? _head;
    private int _headerCount;
    private long _headerBytes;
    private string? _target, _host, _upgrade, _connection, _key, _version, _origin, _authorization;
    private bool _contentLength;

    /// <summary>
    /// Reads what <paramref name="buffer"/> (the connection's bytes from its first one on) adds to the lines read so
    /// far. Once <see cref="UpgradeParse.NotHandled"/> or <see cref="UpgradeParse.Parsed"/>, the answer stays.
    /// </summary>
    public UpgradeParse Read(ReadOnlySequence<byte> buffer, out UpgradeRequestHead? head)
    {
        head = _head;
        if (_verdict != UpgradeParse.NeedMore)
        {
            return _verdict;
        }
        if (_nextLine == 0 && !StartsAsAnUpgradeOfWs(buffer, out var decided))
        {
            return _verdict = decided;
        }
        var reader = new SequenceReader<byte>(buffer);
        reader.Advance(_nextLine);
        while (reader.TryReadTo(out ReadOnlySequence<byte> lineWithCr, (byte)'\n'))
        {
            var line = lineWithCr.IsSingleSegment ? lineWithCr.FirstSpan : lineWithCr.ToArray();
            if (line.IsEmpty || line[^1] != (byte)'\r' || reader.Consumed > UpgradeRequestHead.MaxLength)
            {
                return _verdict = UpgradeParse.NotHandled; // a bare LF, or a head too long for this layer
            }
            var isRequestLine = _nextLine == 0;
            var lineLength = reader.Consumed - _nextLine;
            _nextLine = reader.Consumed;
            var content = line[..^1];
            if (!isRequestLine && content.IsEmpty)
            {
                head = _head = EndOfHead();
                return _verdict = head is null ? UpgradeParse.NotHandled : UpgradeParse.Parsed;
            }
            if (!(isRequestLine ? ReadRequestLine(content, lineLength) : ReadHeaderLine(content, lineLength)))
            {
                return _verdict = UpgradeParse.NotHandled;
            }
        }
        // The line still arriving may already be longer than this layer, or Kestrel, takes.
        var partial = buffer.Length - _nextLine;
        var tooLong = buffer.Length > UpgradeRequestHead.MaxLength
            || (_nextLine == 0 ? partial >= limits.MaxRequestLineSize : _headerBytes + partial + 2 >= limits.MaxHeadersTotalSize);
        return tooLong ? _verdict = UpgradeParse.NotHandled : UpgradeParse.NeedMore;
    }

    /// <summary>Decides on the first bytes when they can only be something else, so other requests pass at once.</summary>
    private static bool StartsAsAnUpgradeOfWs(ReadOnlySequence<byte> buffer, out UpgradeParse decided)
    {
        Span<byte> start = stackalloc byte[Prefix.Length + 1];
        var available = (int)Math.Min(buffer.Length, start.Length);
        buffer.Slice(0, available).CopyTo(start);
        var compared = Math.Min(available, Prefix.Length);
        if (!start[..compared].SequenceEqual(Prefix[..compared]))
        {
            decided = UpgradeParse.NotHandled;
            return false;
        }
        if (available < start.Length)
        {
            decided = UpgradeParse.NeedMore;
            return false;
        }
        // /ws/x, /wsx, /ws#x: the HTTP layer's 404s and whatever else it makes of them.
        decided = UpgradeParse.NotHandled;
        return start[^1] is (byte)' ' or (byte)'?';
    }

    private bool ReadRequestLine(ReadOnlySpan<byte> line, long lineLength)
    {
        if (lineLength >= limits.MaxRequestLineSize || !line.EndsWith(Version))
        {
            return false;
        }
        var target = line[4..^Version.Length]; // after "GET ", which StartsAsAnUpgradeOfWs checked
        if (target.Length > 3 && (target[3] != (byte)'?' || target[4..].ContainsAnyExcept(QueryBytes)))
        {
            return false;
        }
        _target = Encoding.ASCII.GetString(target);
        return true;
    }

    private bool ReadHeaderLine(ReadOnlySpan<byte> line, long lineLength)
    {
        _headerCount++;
        _headerBytes += lineLength;
        var colon = line.IndexOf((byte)':');
        // Below the limits, not merely at them, as Kestrel's own accounting may differ by a line end.
        if (_headerCount >= limits.MaxHeaderCount || _headerBytes + 2 >= limits.MaxHeadersTotalSize
            || colon <= 0 || line[..colon].ContainsAnyExcept(TokenBytes) || line[(colon + 1)..].ContainsAnyExcept(FieldValueBytes))
        {
            return false; // also obsolete folding (a line starting with whitespace) and "name :"
        }
        var name = line[..colon];
        var value = line[(colon + 1)..].Trim(" \t"u8); // a string only for the headers kept
        return name.Length switch
        {
            4 when Is(name, "host"u8) => Once(ref _host, value) && HostHeaderRule.IsValid(_host!),
            6 when Is(name, "origin"u8) => Once(ref _origin, value),
            7 when Is(name, "upgrade"u8) => Once(ref _upgrade, value),
            10 when Is(name, "connection"u8) => Once(ref _connection, value),
            13 when Is(name, "authorization"u8) => Once(ref _authorization, value),
            14 when Is(name, "content-length"u8) => OnceZero(ref _contentLength, value),
            17 when Is(name, "transfer-encoding"u8) => false,
            17 when Is(name, "sec-websocket-key"u8) => Once(ref _key, value),
            21 when Is(name, "sec-websocket-version"u8) => Once(ref _version, value),
            22 when Is(name, "sec-websocket-protocol"u8) => false, // none is offered; the HTTP layer answers as ever
            _ => true,
        };
    }

    private UpgradeRequestHead? EndOfHead() =>
        !string.IsNullOrEmpty(_host)
        && string.Equals(_upgrade, "websocket", StringComparison.OrdinalIgnoreCase)
        && HasUpgradeToken(_connection)
        && _version == "13"
        && IsValidKey(_key)
            ? new UpgradeRequestHead(_target!, _host, _key!, _origin, _authorization, (int)_nextLine)
            : null;

    /// <summary>Sets a header read once; a repeated one is left to the HTTP layer.</summary>
    private static bool Once(ref string? field, ReadOnlySpan<byte> value)
    {
        if (field is not null)
        {
            return false;
        }
        field = Encoding.ASCII.GetString(value);
        return true;
    }

    /// <summary>
    /// One <c>Content-Length: 0</c> (an upgrade has no body); a repeated one, which Kestrel refuses even when both
    /// say 0, and any other value are left to the HTTP layer.
    /// </summary>
    private static bool OnceZero(ref bool seen, ReadOnlySpan<byte> value)
    {
        if (seen || !value.SequenceEqual("0"u8))
        {
            return false;
        }
        seen = true;
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

    /// <summary>RFC 3986 query characters (unreserved, sub-delims, <c>:@/?</c> and <c>%</c>).</summary>
    private static readonly SearchValues<byte> QueryBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%"u8);

    /// <summary>RFC 9110 token characters, what a header name is made of.</summary>
    private static readonly SearchValues<byte> TokenBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~"u8);

    /// <summary>Visible ASCII, space and tab: a header value without control or non-ASCII bytes.</summary>
    private static readonly SearchValues<byte> FieldValueBytes = SearchValues.Create(FieldValueRange());

    private static byte[] FieldValueRange()
    {
        var bytes = new List<byte> { (byte)'\t' };
        for (var b = 0x20; b <= 0x7E; b++)
        {
            bytes.Add((byte)b);
        }
        return [.. bytes];
    }
}
