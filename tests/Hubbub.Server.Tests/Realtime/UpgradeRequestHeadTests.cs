using System.Buffers;
using System.Text;
using Hubbub.Server.Realtime;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>
/// The connection-level accept reads only plain, well-formed upgrades of /ws; everything else must be
/// <see cref="UpgradeParse.NotHandled"/> so the HTTP layer answers it as before.
/// </summary>
public sealed class UpgradeRequestHeadTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static string Head(string requestLine = "GET /ws?access_token=abc HTTP/1.1", params string[] extra)
    {
        var lines = new List<string> { requestLine, "Host: 127.0.0.1:5000", "Upgrade: websocket", "Connection: Upgrade",
            $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13" };
        lines.AddRange(extra);
        return string.Join("\r\n", lines) + "\r\n\r\n";
    }

    private static UpgradeParse Parse(string text, out UpgradeRequestHead? head) =>
        UpgradeRequestHead.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text)), out head);

    [Fact]
    public void A_browser_like_upgrade_is_parsed_with_what_the_accept_needs()
    {
        var text = Head("GET /ws?access_token=abc%2Fd HTTP/1.1", "Origin: http://127.0.0.1:5000",
            "Authorization: Bearer xyz", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64)", "Content-Length: 0");
        Assert.Equal(UpgradeParse.Parsed, Parse(text + "\x81\x80", out var head));
        Assert.Equal("/ws?access_token=abc%2Fd", head!.Target);
        Assert.Equal("?access_token=abc%2Fd", head.Query);
        Assert.Equal("127.0.0.1:5000", head.Host);
        Assert.Equal(Key, head.Key);
        Assert.Equal("http://127.0.0.1:5000", head.Origin);
        Assert.Equal("Bearer xyz", head.Authorization);
        Assert.Equal(text.Length, head.Length); // the frame bytes after the head are not part of it
    }

    [Fact]
    public void Header_names_are_case_insensitive_and_connection_may_list_several_tokens()
    {
        var text = "GET /ws HTTP/1.1\r\nHOST: h\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\n"
            + $"SEC-WEBSOCKET-KEY: {Key}\r\nsec-websocket-version:13\r\n\r\n";
        Assert.Equal(UpgradeParse.Parsed, Parse(text, out var head));
        Assert.Null(head!.Query);
        Assert.Null(head.Origin);
    }

    [Fact]
    public void A_head_split_across_segments_is_parsed()
    {
        var bytes = Encoding.ASCII.GetBytes(Head());
        var first = new Segment(bytes.AsMemory(0, 11));
        var last = first.Append(bytes.AsMemory(11, 30)).Append(bytes.AsMemory(41));
        var parse = UpgradeRequestHead.TryParse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), out var head);
        Assert.Equal(UpgradeParse.Parsed, parse);
        Assert.Equal(bytes.Length, head!.Length);
    }

    [Theory]
    [InlineData("G")]
    [InlineData("GET /w")]
    [InlineData("GET /ws")]
    [InlineData("GET /ws?access_token=abc HTTP/1.1\r\nHost: h\r\n")]
    public void A_prefix_of_an_upgrade_needs_more(string text)
    {
        Assert.Equal(UpgradeParse.NeedMore, Parse(text, out _));
    }

    public static TheoryData<string, string> NotHandled() => new()
    {
        { "another path", Head("GET /healthz HTTP/1.1") },
        { "a path below /ws", Head("GET /ws/x HTTP/1.1") },
        { "a longer path", Head("GET /wsx HTTP/1.1") },
        { "another case", Head("GET /WS HTTP/1.1") },
        { "POST", Head("POST /ws HTTP/1.1") },
        { "HTTP/1.0", Head("GET /ws HTTP/1.0") },
        { "absolute form", Head("GET http://h/ws HTTP/1.1") },
        { "a space in the target", Head("GET /ws?a=b c HTTP/1.1") },
        { "TLS client hello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" },
        { "HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" },
        { "no Upgrade", Head().Replace("Upgrade: websocket\r\n", "") },
        { "Upgrade to something else", Head().Replace("Upgrade: websocket", "Upgrade: h2c") },
        { "Connection without upgrade", Head().Replace("Connection: Upgrade", "Connection: keep-alive") },
        { "version 8", Head().Replace("Version: 13", "Version: 8") },
        { "no key", Head().Replace($"Sec-WebSocket-Key: {Key}\r\n", "") },
        { "a key of 15 bytes", Head().Replace(Key, "AAAAAAAAAAAAAAAAAAAA") },
        { "a key that is not base64", Head().Replace(Key, "!!!!!!!!!!!!!!!!!!!!!!==") },
        { "no Host", Head().Replace("Host: 127.0.0.1:5000\r\n", "") },
        { "two Host headers", Head(extra: "Host: evil") },
        { "two Authorization headers", Head(extra: ["Authorization: Bearer a", "Authorization: Bearer b"]) },
        { "two Origin headers", Head(extra: ["Origin: http://a", "Origin: http://b"]) },
        { "a subprotocol", Head(extra: "Sec-WebSocket-Protocol: chat") },
        { "a body", Head(extra: "Content-Length: 5") },
        { "chunked", Head(extra: "Transfer-Encoding: chunked") },
        { "obsolete folding", Head(extra: ["X-A: b", " continued"]) },
        { "space before the colon", Head(extra: "Origin : http://a") },
        { "no colon", Head(extra: "Garbage") },
        { "a control byte in a value", Head(extra: "X-A: a\u0001b") },
        { "a non-ASCII byte in a value", Head(extra: "X-A: caf\u00e9") },
        { "a head over the limit", Head(extra: "X-Pad: " + new string('a', UpgradeRequestHead.MaxLength)) },
        { "a head over the limit, not yet complete", "GET /ws HTTP/1.1\r\nX-Pad: " + new string('a', UpgradeRequestHead.MaxLength) },
        // Issue 13, finding 7: what Kestrel answers otherwise (101, 400, 414, 431) is Kestrel's to answer.
        { "bare LF line ends", Head().Replace("\r\n", "\n") },
        { "one bare LF line end", Head().Replace("Upgrade: websocket\r\n", "Upgrade: websocket\n") },
        { "the blank line a bare LF", Head()[..^2] + "\n" },
        { "a bare CR", Head(extra: "X-A: a\rb") },
        { "two Content-Length: 0", Head(extra: ["Content-Length: 0", "Content-Length: 0"]) },
        { "a Host with a space", Head().Replace("Host: 127.0.0.1:5000", "Host: a b") },
        { "a Host with a path", Head().Replace("Host: 127.0.0.1:5000", "Host: evil/x") },
        { "a Host with user info", Head().Replace("Host: 127.0.0.1:5000", "Host: user@evil") },
        { "a Host with a port of letters", Head().Replace("Host: 127.0.0.1:5000", "Host: 127.0.0.1:abc") },
        { "a Host of markup", Head().Replace("Host: 127.0.0.1:5000", "Host: <script>") },
        { "an empty Host", Head().Replace("Host: 127.0.0.1:5000", "Host: ") },
        { "200 more headers", Head(extra: [.. Enumerable.Range(0, 200).Select(i => $"X-H{i}: v")]) },
        { "as many headers as Kestrel takes (100)", Head(extra: [.. Enumerable.Range(0, 95).Select(i => $"X-H{i}: v")]) },
        { "a 9,000-character target", Head($"GET /ws?access_token={new string('a', 9000)} HTTP/1.1") },
        { "a request line as long as Kestrel takes (8 KiB)", Head($"GET /ws?t={new string('a', 8192 - 21)} HTTP/1.1") },
        { "a NUL in a value", Head(extra: "X-A: a\0b") },
        { "a NUL in the target", Head("GET /ws?a=\0 HTTP/1.1") },
        { "a non-ASCII target", Head("GET /ws?a=caf\u00e9 HTTP/1.1") },
        { "quotes in the query", Head("GET /ws?a=\"<b>\" HTTP/1.1") },
        { "a fragment", Head("GET /ws?a#b HTTP/1.1") },
        { "a fragment on the path", Head("GET /ws#b HTTP/1.1") },
        { "two Upgrade headers", Head(extra: "Upgrade: websocket") },
        { "two keys", Head(extra: $"Sec-WebSocket-Key: {Key}") },
    };

    [Theory]
    [InlineData("127.0.0.1:5000")]
    [InlineData("localhost")]
    [InlineData("hubbub.example.com:443")]
    [InlineData("[::1]")]
    [InlineData("[::1]:8080")]
    [InlineData("a!$&'()-._~z")]
    public void A_host_kestrel_takes_is_read_here(string host)
    {
        Assert.Equal(UpgradeParse.Parsed, Parse(Head().Replace("127.0.0.1:5000", host), out var head));
        Assert.Equal(host, head!.Host);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("h", true)]
    [InlineData("h:1", true)]
    [InlineData("[::1]", true)]
    [InlineData("[1.2.3.4]:5", true)]
    [InlineData("a b", false)]
    [InlineData("evil/x", false)]
    [InlineData("user@evil", false)]
    [InlineData("127.0.0.1:abc", false)]
    [InlineData("<script>", false)]
    [InlineData(":80", false)]
    [InlineData("h:", false)]
    [InlineData("h:1:2", false)]
    [InlineData("[::]", false)]
    [InlineData("[::1", false)]
    [InlineData("[::1]x", false)]
    [InlineData("[g::1]", false)]
    [InlineData("a,b", false)]
    [InlineData("*", false)]
    [InlineData("caf\u00e9", false)]
    public void The_host_rule_is_kestrels(string host, bool valid)
    {
        Assert.Equal(valid, HostHeaderRule.IsValid(host));
    }

    [Fact]
    public void A_head_read_as_it_arrives_gets_the_same_answer_as_read_whole()
    {
        foreach (var text in new[] { Head(), Head().Replace("\r\n", "\n"), Head(extra: "Host: evil"), Head("GET /healthz HTTP/1.1") })
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            var parser = new UpgradeHeadParser(HeadLimits.KestrelDefaults);
            var parse = UpgradeParse.NeedMore;
            UpgradeRequestHead? head = null;
            for (var length = 1; length <= bytes.Length && parse == UpgradeParse.NeedMore; length++)
            {
                parse = parser.Read(new ReadOnlySequence<byte>(bytes, 0, length), out head);
            }
            Assert.Equal(Parse(text, out var whole), parse);
            Assert.Equal(whole, head);
        }
    }

    [Fact]
    public void A_bad_line_is_decided_before_the_head_is_complete()
    {
        Assert.Equal(UpgradeParse.NotHandled, Parse("GET /ws HTTP/1.1\r\nHost: a b\r\n", out _));
        Assert.Equal(UpgradeParse.NotHandled, Parse("GET /ws HTTP/1.1\nHost: h", out _));
        Assert.Equal(UpgradeParse.NotHandled, Parse("GET /ws?" + new string('a', 8200), out _));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n\r", false)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.1\nHost: h\n\n", true)]
    [InlineData("GET / HTTP/1.1\nHost: h\n\r\n", true)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n\rX", true)] // refused by Kestrel at once
    public void The_http_layer_can_answer_a_head_once_its_end_has_arrived(string text, bool complete)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var arrival = new HeadArrival(HeadLimits.KestrelDefaults);
        for (var length = 1; length < bytes.Length; length++)
        {
            Assert.False(arrival.IsComplete(new ReadOnlySequence<byte>(bytes, 0, length)), text[..length]);
        }
        Assert.Equal(complete, arrival.IsComplete(new ReadOnlySequence<byte>(bytes)));
        Assert.True(new HeadArrival(HeadLimits.KestrelDefaults).IsComplete(new ReadOnlySequence<byte>(new byte[HeadLimits.KestrelDefaults.LongestHead])));
    }

    [Theory]
    [MemberData(nameof(NotHandled))]
    public void Anything_else_is_left_to_the_http_layer(string why, string text)
    {
        Assert.True(Parse(text, out var head) == UpgradeParse.NotHandled, why);
        Assert.Null(head);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
