using System.Net.WebSockets;
using System.Text;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>PROTOCOL "Frames": a bad frame gets bad_request and the connection stays open.</summary>
public sealed class BadInputTests : IClassFixture<SharedServer>
{
    private readonly TestServer _server;

    public BadInputTests(SharedServer shared) => _server = shared.Server;

    public static TheoryData<string, string> BadFrames() => new()
    {
        { "not json", "hello" },
        { "truncated json", """{"type":"subscribe","id":1""" },
        { "array", "[1,2,3]" },
        { "string", "\"ping\"" },
        { "no type", """{"id":1,"data":{}}""" },
        { "type not a string", """{"type":5,"id":1}""" },
        { "empty type", """{"type":"","id":1}""" },
        { "unknown type", """{"type":"teleport","id":1}""" },
        { "id an object", """{"type":"ping","id":{"a":1}}""" },
        { "subscribe without data", """{"type":"subscribe","id":1}""" },
        { "subscribe without channel", """{"type":"subscribe","id":1,"data":{}}""" },
        { "subscribe channel a number", """{"type":"subscribe","id":1,"data":{"channel":5}}""" },
        { "subscribe data a string", """{"type":"subscribe","id":1,"data":"public:x"}""" },
        { "channel without namespace", """{"type":"subscribe","id":1,"data":{"channel":"lobby"}}""" },
        { "channel with bad characters", """{"type":"subscribe","id":1,"data":{"channel":"public:<script>"}}""" },
        { "channel too long", "{\"type\":\"subscribe\",\"id\":1,\"data\":{\"channel\":\"public:" + new string('a', 300) + "\"}}" },
        { "publish without data", """{"type":"publish","id":1,"data":{"channel":"public:x"}}""" },
        { "publish reserved event", """{"type":"publish","id":1,"data":{"channel":"public:x","event":"welcome","data":1}}""" },
        { "publish odd event", """{"type":"publish","id":1,"data":{"channel":"public:x","event":"Drop Table","data":1}}""" },
        { "typing without is_typing", """{"type":"typing","id":1,"data":{"channel":"public:x"}}""" },
        { "typing is_typing a string", """{"type":"typing","id":1,"data":{"channel":"public:x","is_typing":"yes"}}""" },
        { "cursor without channel", """{"type":"cursor","id":1,"data":{"x":1}}""" },
        { "history limit too big", """{"type":"history","id":1,"data":{"channel":"public:x","limit":100000}}""" },
        { "presence without channel", """{"type":"presence","id":1,"data":{}}""" },
        // Issue 13 finding 6 over the WebSocket: JSON grammar, but no Unicode (REST refused it, the socket passed it on).
        { "publish data with a lone high surrogate", """{"type":"publish","id":1,"data":{"channel":"public:sur","data":{"t":"\ud800"}}}""" },
        { "publish data with a lone low surrogate", """{"type":"publish","id":1,"data":{"channel":"public:sur","data":["a\udc00b"]}}""" },
        { "publish with a top-level channel and a lone surrogate", """{"type":"publish","id":1,"channel":"public:sur","data":{"t":"\ud800"}}""" },
        { "a lone surrogate as a key", """{"type":"publish","id":1,"data":{"channel":"public:sur","data":{"\udbff":1}}}""" },
        { "a high surrogate before a second high one", """{"type":"cursor","id":1,"data":{"channel":"public:sur","x":"\ud800\ud800\udc00"}}""" },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task Bad_frames_get_bad_request_and_the_connection_stays_open(string why, string frame)
    {
        await using var c = await _server.ConnectAsync("bad");
        await c.SendRawAsync(frame);
        var error = await c.NextAsync(f => f.Type() == "error");
        Assert.True("bad_request" == error.ErrorCode(), $"{why}: {error}");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("data").GetProperty("message").GetString()));
        if (frame.Contains("\"id\":1,", StringComparison.Ordinal) || frame.EndsWith("\"id\":1}", StringComparison.Ordinal))
        {
            Assert.Equal(1, error.GetProperty("id").GetInt32());
        }
        var pong = await c.RequestAsync("ping");
        Assert.Equal("pong", pong.Type());
    }

    [Fact]
    public async Task A_lone_surrogate_is_never_delivered_and_a_real_pair_is()
    {
        await using var watcher = await _server.ConnectAsync("sur-watch");
        await watcher.RequestAsync("subscribe", new { channel = "public:sur-pass" });
        await using var sender = await _server.ConnectAsync("sur-send");
        await sender.SendRawAsync("""{"type":"publish","id":7,"data":{"channel":"public:sur-pass","data":{"t":"\ud800"}}}""");
        Assert.Equal("bad_request", (await sender.NextAsync(f => f.Type() == "error")).ErrorCode());
        // An escaped pair (an emoji) is Unicode: taken, and delivered as sent.
        await sender.SendRawAsync("""{"type":"publish","id":8,"data":{"channel":"public:sur-pass","data":{"t":"\ud83d\ude00"}}}""");
        Assert.Equal("reply", (await sender.NextAsync(f => f.Type() is "reply" or "error")).Type());
        var message = await watcher.NextAsync(f => f.Type() == "message");
        Assert.Equal("\U0001F600", message.GetProperty("data").GetProperty("t").GetString());
        Assert.Equal(1, message.GetProperty("offset").GetInt64()); // the refused one took no offset
    }

    [Fact]
    public async Task A_pong_with_an_id_is_answered_and_one_without_is_not()
    {
        // PROTOCOL "Frames": a client frame that carries an id gets exactly one answer carrying the same id.
        await using var c = await _server.ConnectAsync("pong-id");
        await c.SendRawAsync("""{"type":"pong","id":"p1"}""");
        await c.SendRawAsync("""{"type":"pong"}""");
        await c.SendRawAsync("""{"type":"ping","id":"after"}""");
        var first = await c.NextAsync(f => f.Type() is "reply" or "pong" or "error");
        Assert.Equal("reply", first.Type());
        Assert.Equal("p1", first.GetProperty("id").GetString());
        var second = await c.NextAsync(f => f.Type() is "reply" or "pong" or "error");
        Assert.Equal("pong", second.Type()); // nothing came for the pong without an id
        Assert.Equal("after", second.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Binary_frames_are_refused_without_closing()
    {
        await using var c = await _server.ConnectAsync("bin");
        await c.SendBytesAsync([1, 2, 3], WebSocketMessageType.Binary);
        Assert.Equal("bad_request", (await c.NextAsync(f => f.Type() == "error")).ErrorCode());
        Assert.Equal("pong", (await c.RequestAsync("ping")).Type());
    }

    [Fact]
    public async Task Invalid_utf8_in_a_text_frame_closes_with_1007_as_RFC_6455_requires()
    {
        await using var c = await _server.ConnectAsync("utf");
        await using var bystander = await _server.ConnectAsync("utf-bystander");
        var bytes = Encoding.UTF8.GetBytes("""{"type":"ping","data":"X"}""");
        bytes[^3] = 0xFF;
        await c.SendBytesAsync(bytes);
        // The server sends 1007; when the TCP connection is torn down right behind it, the client may see the
        // reset before the close frame. Either way the offender is gone and the bystander is served.
        var status = await c.WaitClosedAsync();
        Assert.True(status is null or WebSocketCloseStatus.InvalidPayloadData, $"closed with {status}");
        Assert.Equal("pong", (await bystander.RequestAsync("ping")).Type());
    }

    [Fact]
    public async Task Deeply_nested_json_is_refused_without_harm()
    {
        await using var c = await _server.ConnectAsync("deep");
        var nested = new string('[', 5000) + new string(']', 5000);
        await c.SendRawAsync("{\"type\":\"publish\",\"id\":1,\"data\":{\"channel\":\"public:x\",\"data\":" + nested + "}}");
        Assert.Equal("bad_request", (await c.NextAsync(f => f.Type() == "error")).ErrorCode());
        Assert.Equal("pong", (await c.RequestAsync("ping")).Type());
    }

    [Fact]
    public async Task Hostile_text_is_delivered_as_data_verbatim()
    {
        var channel = "public:" + Guid.NewGuid().ToString("N");
        await using var c = await _server.ConnectAsync("xss");
        await c.SubscribeAsync(channel);
        const string hostile = "<script>alert(1)</script>\"'\u0000\u2028";
        await c.OkAsync("publish", new { channel, data = new { text = hostile } });
        var message = await c.NextAsync(f => f.Type() == "message");
        Assert.Equal(hostile, message.GetProperty("data").GetProperty("text").GetString());
    }

    [Theory]
    [InlineData(33, true)]
    [InlineData(33, false)]
    [InlineData(20000, true)]
    public async Task A_frame_nested_deeper_than_32_levels_is_refused_with_its_id_answered(int depth, bool idFirst)
    {
        // PROTOCOL.md: a frame with an id gets exactly one answer with that id, even when it cannot be read whole.
        await using var c = await _server.ConnectAsync("deep");
        var nested = new string('[', depth - 1) + new string(']', depth - 1); // the object itself is the first level
        await c.SendRawAsync(idFirst ? $$"""{"type":"ping","id":"deep-1","data":{{nested}}}""" : $$"""{"type":"ping","data":{{nested}},"id":7}""");
        var error = await c.NextAsync(f => f.Type() == "error");
        Assert.Equal("bad_request", error.ErrorCode());
        Assert.Contains("nested deeper than 32", error.GetProperty("data").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(idFirst ? "\"deep-1\"" : "7", error.GetProperty("id").GetRawText());

        // 32 levels are read as any frame: ping echoes its data.
        var fits = new string('[', 31) + new string(']', 31);
        await c.SendRawAsync($$"""{"type":"ping","id":8,"data":{{fits}}}""");
        Assert.Equal("pong", (await c.NextAsync(f => f.TryGetProperty("id", out var id) && id.ValueKind == System.Text.Json.JsonValueKind.Number && id.GetInt32() == 8)).Type());
    }
}
