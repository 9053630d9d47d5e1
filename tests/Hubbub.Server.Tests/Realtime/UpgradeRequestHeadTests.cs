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
    };

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
