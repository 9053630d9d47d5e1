using System.Text;
using CsCheck;

namespace Hubbub.Server.Tests.Infrastructure;

/// <summary>
/// Random WebSocket upgrade heads for the two-door property test: an ordinary browser-like upgrade of <c>/ws</c>
/// with up to four mutations (line ends, repeated headers, odd <c>Host</c>s, long targets, many or long headers,
/// missing and extra fields, bad keys and versions, other methods, paths and versions, header syntax, tokens,
/// origins, NUL and non-ASCII bytes), or random bytes behind a plausible start. <c>{token}</c> in a head stands for
/// a valid token, filled in per case.
/// </summary>
public static class UpgradeHeadGen
{
    /// <summary>One change to a head, named for the report of a failing case.</summary>
    public sealed record Mutation(string Name, Action<HeadDraft> Apply)
    {
        public override string ToString() => Name;
    }

    /// <summary>A head to send: the mutations that made it (none for an ordinary upgrade).</summary>
    public sealed record Case(Mutation[] Mutations, string? Random)
    {
        public byte[] Render(string token)
        {
            if (Random is not null)
            {
                return Encoding.Latin1.GetBytes(Random.Replace("{token}", token, StringComparison.Ordinal));
            }
            var draft = new HeadDraft();
            foreach (var mutation in Mutations)
            {
                mutation.Apply(draft);
            }
            return draft.Render(token);
        }

        public override string ToString() => Random is not null
            ? "random: " + Escape(Random)
            : Mutations.Length == 0 ? "an ordinary upgrade" : string.Join(" + ", Mutations.Select(m => m.Name));
    }

    /// <summary>The head a case sends, made printable for a failure message.</summary>
    public static string Escape(string head)
    {
        var text = head.Length > 600 ? head[..600] + $"…({head.Length} chars)" : head;
        return text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
            .Replace("\0", "\\0", StringComparison.Ordinal);
    }

    /// <summary>A head being mutated: request line parts, header lines, line ends and byte insertions.</summary>
    public sealed class HeadDraft
    {
        public string Method { get; set; } = "GET";
        public string Path { get; set; } = "/ws";
        public string Query { get; set; } = "?access_token={token}";
        public string Version { get; set; } = "HTTP/1.1";
        public List<string> Headers { get; } =
            ["Host: hubbub.test", "Upgrade: websocket", "Connection: Upgrade", $"Sec-WebSocket-Key: {RawConnection.UpgradeKey}", "Sec-WebSocket-Version: 13"];
        public string LineEnd { get; set; } = "\r\n";
        public string LastLineEnd { get; set; } = "\r\n";

        /// <summary>A line end for the line at this fraction of the lines.</summary>
        public List<(double At, string End)> LineEnds { get; } = [];

        /// <summary>Bytes inserted at this fraction of the head (before its closing blank line).</summary>
        public List<(double At, byte[] Bytes)> Inserts { get; } = [];

        public int Find(string name) => Headers.FindIndex(h => h.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase));

        public void Set(string name, string? value)
        {
            var at = Find(name);
            if (at >= 0)
            {
                Headers.RemoveAt(at);
            }
            if (value is not null)
            {
                Headers.Insert(at >= 0 ? at : Headers.Count, $"{name}: {value}");
            }
        }

        public byte[] Render(string token)
        {
            var lines = new List<string> { $"{Method} {Path}{Query} {Version}" };
            lines.AddRange(Headers);
            var ends = Enumerable.Repeat(LineEnd, lines.Count).ToArray();
            foreach (var (at, end) in LineEnds)
            {
                ends[(int)(at * lines.Count)] = end;
            }
            var text = new StringBuilder();
            for (var i = 0; i < lines.Count; i++)
            {
                text.Append(lines[i]).Append(ends[i]);
            }
            var bytes = Encoding.Latin1.GetBytes(text.ToString().Replace("{token}", token, StringComparison.Ordinal)).ToList();
            foreach (var (at, insert) in Inserts)
            {
                bytes.InsertRange((int)(at * bytes.Count), insert);
            }
            bytes.AddRange(Encoding.ASCII.GetBytes(LastLineEnd));
            return [.. bytes];
        }
    }

    private static readonly Gen<double> Fraction = Gen.Int[0, 999].Select(i => i / 1000.0);

    private static Gen<Mutation> Named(string name, Action<HeadDraft> apply) => Gen.Const(new Mutation(name, apply));

    private static Gen<Mutation> OneOfValues(string what, string[] values, Action<HeadDraft, string> apply) =>
        Gen.OneOf(values).Select(v => new Mutation($"{what} \"{Escape(v)}\"", d => apply(d, v)));

    private static Gen<string> Text(string chars, int min, int max) => Gen.Char[chars].Array[min, max].Select(a => new string(a));

    private const string Visible = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCXYZabcxyz[\\]^_`{|}~";

    private static readonly Gen<Mutation> LineEnds = Gen.OneOf(
        Named("every line end a bare LF", d => (d.LineEnd, d.LastLineEnd) = ("\n", "\n")),
        Named("every line end a bare LF but the last", d => d.LineEnd = "\n"),
        Named("the last line end a bare LF", d => d.LastLineEnd = "\n"),
        Gen.Select(Fraction, Gen.OneOf("\n", "\r", "\r\r\n", "\n\r", " \r\n", "\r\n ", "\r\n\t"),
            (at, end) => new Mutation($"line {at:F2} ends \"{Escape(end)}\"", d => d.LineEnds.Add((at, end)))));

    private static readonly Gen<Mutation> Repeats = Gen.OneOf(
        Gen.Select(Fraction, Fraction, (from, to) => new Mutation($"header {from:F2} repeated at {to:F2}", d =>
        {
            if (d.Headers.Count > 0)
            {
                d.Headers.Insert((int)(to * d.Headers.Count), d.Headers[(int)(from * d.Headers.Count)]);
            }
        })),
        Named("two Content-Length: 0", d => d.Headers.AddRange(["Content-Length: 0", "Content-Length: 0"])),
        Named("a second Host", d => d.Headers.Add("Host: other.test")),
        Named("a second, equal Host", d => d.Headers.Add("Host: hubbub.test")));

    private static readonly Gen<Mutation> Hosts = Gen.OneOf(
        OneOfValues("Host", ["a b", "evil/x", "user@evil", "127.0.0.1:abc", "<script>", "", ":80", "h:", "h:1:2", "[::1]", "[::1]:80",
            "[::1", "[zz::1]", "[::]", "a!$&'()-._~z", "a,b", "a;b", "*", "%41", "h\t", "xn--bcher-kva.example", "127.0.0.1:5000",
            "hubbub.test:99999999999", "caf\u00e9", "h\u0001"], (d, v) => d.Set("Host", v)),
        Text(Visible, 0, 12).Select(v => new Mutation($"Host \"{v}\"", d => d.Set("Host", v))),
        Named("no Host", d => d.Set("Host", null)));

    private static readonly Gen<Mutation> Sizes = Gen.OneOf(
        Gen.OneOf(Gen.Int[8100, 8250], Gen.Const(9000), Gen.Int[0, 300], Gen.Int[16300, 16500])
            .Select(n => new Mutation($"target padded by {n}", d => d.Query += "&pad=" + new string('a', n))),
        Gen.OneOf(Gen.Int[93, 101], Gen.Const(200), Gen.Int[0, 20])
            .Select(n => new Mutation($"{n} more headers", d => d.Headers.AddRange(Enumerable.Range(0, n).Select(i => $"X-H{i}: v")))),
        Gen.OneOf(Gen.Int[8000, 8300], Gen.Int[16250, 16450], Gen.Int[32600, 32800])
            .Select(n => new Mutation($"a header of {n}", d => d.Headers.Add("X-Pad: " + new string('a', n)))));

    private static readonly Gen<Mutation> Fields = Gen.OneOf(
        Fraction.Select(at => new Mutation($"header {at:F2} removed", d =>
        {
            if (d.Headers.Count > 0)
            {
                d.Headers.RemoveAt((int)(at * d.Headers.Count));
            }
        })),
        OneOfValues("extra", ["Sec-WebSocket-Protocol: chat", "Transfer-Encoding: chunked", "Content-Length: 0", "Content-Length: 5",
            "Content-Length:  0 ", "Content-Length: 00", "Content-Length: -0", "Expect: 100-continue", "Connection: close",
            "Upgrade: h2c", "X-Empty:", "Sec-WebSocket-Extensions: permessage-deflate", "User-Agent: Mozilla/5.0 (X11)",
            "Cookie: a=b; c=d", "Sec-WebSocket-Version: 8", "Pragma: no-cache"], (d, v) => d.Headers.Add(v)),
        OneOfValues("Upgrade", ["WebSocket", "websocket, h2c", "h2c", "", "web socket", " websocket "], (d, v) => d.Set("Upgrade", v)),
        OneOfValues("Connection", ["upgrade", "keep-alive", "Upgrade, keep-alive", "keep-alive,Upgrade", "close, Upgrade", "Upgrade;",
            "\"Upgrade\"", "Upgrade, Upgrade", ""], (d, v) => d.Set("Connection", v)));

    private static readonly Gen<Mutation> KeysAndVersions = Gen.OneOf(
        OneOfValues("key", ["", "AAAAAAAAAAAAAAAAAAAA", "!!!!!!!!!!!!!!!!!!!!!!==", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ===",
            "dGhlIHNhbXBsZSBub25jZQ== x", "dGhlIHNhbXBsZSBub25jZR==", "dGhlIHNhbXBs ZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZQ=="],
            (d, v) => d.Set("Sec-WebSocket-Key", v)),
        Text("ABCXYZabcxyz0189+/=", 16, 28).Select(v => new Mutation($"key \"{v}\"", d => d.Set("Sec-WebSocket-Key", v))),
        OneOfValues("version", ["8", "13, 8", "14", "", "13 ", "1 3", "013", "13,13", "thirteen"], (d, v) => d.Set("Sec-WebSocket-Version", v)));

    private static readonly Gen<Mutation> RequestLines = Gen.OneOf(
        OneOfValues("method", ["get", "POST", "HEAD", "OPTIONS", "GET ", "GE"], (d, v) => d.Method = v),
        OneOfValues("version", ["HTTP/1.0", "HTTP/1.2", "HTTP/2", "http/1.1", "HTTP/1.1 ", "HTTP/1.10"], (d, v) => d.Version = v),
        OneOfValues("path", ["/WS", "/ws/", "/ws/x", "//ws", "/w%73", "/ws#x", "/wsx", "/", "*", "http://hubbub.test/ws", "/ws "],
            (d, v) => d.Path = v),
        OneOfValues("query", ["&a b", "&%zz", "&x=\"<>", "&x={}|\\^`", "&x=\u00e9", "&x=%00", "#frag", "&access_token=second",
            "&x=[]", "&x='()*+,;=:@/?", "&x=\u0001"], (d, v) => d.Query += v));

    private static readonly Gen<Mutation> Syntax = OneOfValues("header line",
        ["Host : hubbub.test", " continued", "Garbage", ": empty-name", "X(A): b", "X-A:b", "X-A:   b   ", "X-A: \tb\t", "HOST: hubbub.test",
            "upgrade: WebSocket", "x-a: \u007f"],
        (d, v) => d.Headers.Add(v));

    private static readonly Gen<Mutation> Tokens = Gen.OneOf(
        Named("the token in Authorization", d =>
        {
            d.Query = "";
            d.Headers.Add("Authorization: Bearer {token}");
        }),
        Named("the token in authorization: bearer", d =>
        {
            d.Query = "";
            d.Headers.Add("authorization: bearer {token}");
        }),
        Named("no token", d => d.Query = ""),
        Named("a bad token", d => d.Query = "?access_token=not-a-jwt"),
        Named("the token twice", d => d.Query += "&access_token={token}"),
        Named("Authorization: Basic beside the query token", d => d.Headers.Add("Authorization: Basic eDp5")),
        OneOfValues("Origin", ["http://hubbub.test", "https://evil.example", "null", "", "http://hubbub.test:80", "HTTP://HUBBUB.TEST"],
            (d, v) => d.Set("Origin", v)));

    private static readonly Gen<Mutation> Bytes = Gen.Select(Fraction,
        Gen.OneOf<byte[]>([0], [1], [0x7F], [0x80], [0xC3, 0xA9], [0xFF], [(byte)'\t'], [(byte)' '], [(byte)':'], [(byte)'\r'], [(byte)'\n']),
        (at, bytes) => new Mutation($"{Convert.ToHexString(bytes)} inserted at {at:F2}", d => d.Inserts.Add((at, bytes))));

    private static readonly Gen<Mutation> Order = Named("headers reversed", d => d.Headers.Reverse());

    /// <summary>Random bytes behind a start that could be an upgrade of /ws (or nothing like it).</summary>
    private static readonly Gen<string> RandomHeads = Gen.Select(
        Gen.OneOf("GET /ws", "GET /ws?access_token={token}", "GET /ws?access_token={token} HTTP/1.1\r\n", "", "\r\n"),
        Gen.Char[" !\"#$%&'()*+,-./0123456789:;<=>?@ABCXYZabcxyz[\\]^_`{|}~\t\r\n\0\u0080\u00ff"].Array[0, 80],
        (start, rest) => start + new string(rest) + "\r\n\r\n");

    /// <summary>Mostly mutated upgrades, now and then an ordinary one or random bytes.</summary>
    public static readonly Gen<Case> Cases = Gen.Frequency(
        (2, Gen.Const(new Case([], null))),
        (24, Gen.Frequency(
                (4, LineEnds), (3, Repeats), (4, Hosts), (3, Sizes), (4, Fields), (3, KeysAndVersions), (3, RequestLines),
                (3, Syntax), (3, Tokens), (2, Bytes), (1, Order))
            .Array[1, 4].Select(m => new Case(m, null))),
        (2, RandomHeads.Select(r => new Case([], r))));
}
