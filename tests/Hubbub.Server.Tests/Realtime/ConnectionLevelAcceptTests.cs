using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Hubbub.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>
/// A plain, authorized upgrade of /ws is accepted on the connection, ahead of the HTTP layer; everything else on
/// a connection reaches the HTTP layer untouched. Which layer answered shows in the 101: Kestrel's HTTP layer
/// always adds its <c>Server</c> header, the connection layer sends only what RFC 6455 asks for.
/// </summary>
public sealed class ConnectionLevelAcceptTests : IClassFixture<SharedServer>
{
    private readonly TestServer _server;

    public ConnectionLevelAcceptTests(SharedServer shared) => _server = shared.Server;

    private static async Task<(HttpStatusCode Status, IReadOnlyDictionary<string, IEnumerable<string>>? Headers, ClientWebSocket Socket)>
        ConnectAsync(TestServer server, string token)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(WsClient.DefaultWait);
        await socket.ConnectAsync(server.WebSocketUri(token), cts.Token);
        return (socket.HttpStatusCode, socket.HttpResponseHeaders, socket);
    }

    [Fact]
    public async Task A_plain_upgrade_is_accepted_on_the_connection_and_the_socket_works()
    {
        var (status, headers, socket) = await ConnectAsync(_server, TestTokens.For("cla1"));
        using (socket)
        {
            Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
            Assert.False(headers!.ContainsKey("Server"), "answered by the HTTP layer");
        }

        await using var client = await _server.ConnectAsync("cla2");
        await client.SubscribeAsync("public:cla");
        await client.OkAsync("publish", new { channel = "public:cla", data = new { n = 1 } });
        var publication = await client.NextAsync(f => f.Type() == "message");
        Assert.Equal(1, publication.GetProperty("data").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task With_the_option_off_the_http_layer_accepts_and_the_socket_works_the_same()
    {
        using var server = new TestServer(new() { ["Hubbub:ConnectionLevelAccept"] = "false" });
        var (status, headers, socket) = await ConnectAsync(server, TestTokens.For("cla3"));
        using (socket)
        {
            Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
            Assert.Contains("Kestrel", headers!["Server"]);
        }
        await using var client = await server.ConnectAsync("cla4");
        Assert.True((await client.SubscribeAsync("public:cla")).TryGetProperty("epoch", out _));
    }

    [Fact]
    public async Task With_allowed_hosts_set_the_http_layers_host_filtering_judges_every_upgrade()
    {
        using var server = new TestServer(new() { ["AllowedHosts"] = "hubbub.example.com" });
        Assert.Equal(400, await WsClient.HandshakeStatusAsync(server.WebSocketUri(TestTokens.For("cla12"))));
    }

    [Fact]
    public async Task Frames_sent_in_the_same_write_as_the_handshake_reach_the_socket()
    {
        await using var raw = await RawConnection.OpenAsync(_server);
        var head = RawConnection.UpgradeHead(_server, "/ws?access_token=" + TestTokens.For("cla5"));
        await raw.SendAsync(RawConnection.Ascii(head),
            RawConnection.TextFrame("""{"type":"subscribe","id":7,"data":{"channel":"public:cla-raw"}}"""));

        var response = await raw.ReadHeadAsync();
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", response);
        Assert.Contains($"Sec-WebSocket-Accept: {RawConnection.ExpectedAccept}\r\n", response);
        Assert.Contains("\"type\":\"welcome\"", await raw.ReadTextFrameAsync());
        var reply = await raw.ReadTextFrameAsync();
        Assert.Contains("\"id\":7", reply);
        Assert.Contains("\"type\":\"reply\"", reply);
    }

    [Fact]
    public async Task A_request_before_an_upgrade_on_the_same_connection_leaves_both_to_the_http_layer()
    {
        await using var raw = await RawConnection.OpenAsync(_server);
        await raw.SendAsync(RawConnection.Ascii($"GET /healthz HTTP/1.1\r\nHost: {_server.BaseAddress.Authority}\r\n\r\n"));
        var health = await raw.ReadHeadAsync();
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", health);
        Assert.Contains("Transfer-Encoding: chunked\r\n", health);
        await raw.ReadUntilAsync("0\r\n\r\n"); // the body's last chunk

        await raw.SendAsync(RawConnection.Ascii(RawConnection.UpgradeHead(_server, "/ws?access_token=" + TestTokens.For("cla6"))));
        var upgrade = await raw.ReadHeadAsync();
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", upgrade);
        Assert.Contains("Server: Kestrel\r\n", upgrade);
        Assert.Contains("\"type\":\"welcome\"", await raw.ReadTextFrameAsync());
    }

    public static TheoryData<string, string, string> Refusals() => new()
    {
        // why, target (token appended unless empty), expected status line start
        { "no token", "/ws", "HTTP/1.1 401 " },
        { "a bad token", "/ws?access_token=not-a-jwt", "HTTP/1.1 401 " },
        { "a path below /ws", "/ws/x?access_token={token}", "HTTP/1.1 404 " },
        { "a foreign origin", "/ws?access_token={token}&origin", "HTTP/1.1 403 " },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Upgrades_this_layer_does_not_accept_get_the_http_layers_answer(string why, string target, string expected)
    {
        await using var raw = await RawConnection.OpenAsync(_server);
        var origin = target.EndsWith("&origin", StringComparison.Ordinal) ? "https://evil.example" : null;
        target = target.Replace("&origin", "").Replace("{token}", TestTokens.For("cla7"));
        await raw.SendAsync(RawConnection.Ascii(RawConnection.UpgradeHead(_server, target, origin)));
        var response = await raw.ReadHeadAsync();
        Assert.True(response.StartsWith(expected, StringComparison.Ordinal), $"{why}: {response}");
        Assert.Contains("Server: Kestrel\r\n", response);
    }

    [Fact]
    public async Task A_head_that_arrives_in_pieces_is_read_whole_and_a_refusal_still_reaches_the_http_layer()
    {
        await using var accepted = await RawConnection.OpenAsync(_server);
        var head = RawConnection.Ascii(RawConnection.UpgradeHead(_server, "/ws?access_token=" + TestTokens.For("cla11")));
        await accepted.SendAsync(head[..20]);
        await Task.Delay(100);
        await accepted.SendAsync(head[20..]);
        Assert.StartsWith("HTTP/1.1 101 ", await accepted.ReadHeadAsync());

        await using var refused = await RawConnection.OpenAsync(_server);
        head = RawConnection.Ascii(RawConnection.UpgradeHead(_server, "/ws?access_token=not-a-jwt"));
        await refused.SendAsync(head[..20]);
        await Task.Delay(100);
        await refused.SendAsync(head[20..]);
        Assert.StartsWith("HTTP/1.1 401 ", await refused.ReadHeadAsync());
    }

    [Theory]
    [InlineData("true", "GET /ws?access_token=")] // held by the connection layer, which answers 408
    [InlineData("true", "GET /heal")] // handed on at once, the HTTP layer answers 408
    [InlineData("false", "GET /ws?access_token=")]
    public async Task Half_a_request_holds_up_no_one_and_is_timed_out(string on, string stall)
    {
        using var server = new TestServer(new() { ["Hubbub:ConnectionLevelAccept"] = on }, configureServices: services => services.Configure<KestrelServerOptions>(
            kestrel => kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(1)));
        await using var stalled = await RawConnection.OpenAsync(server);
        await stalled.SendAsync(RawConnection.Ascii(stall));

        await using (var client = await server.ConnectAsync("cla8"))
        {
            Assert.True((await client.SubscribeAsync("public:cla")).TryGetProperty("epoch", out _));
        }
        Assert.StartsWith("HTTP/1.1 408 ", await stalled.ReadHeadAsync());
        Assert.True(await stalled.EndsWithinAsync(TimeSpan.FromSeconds(10)), "the stalled connection was never closed");
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task A_silent_connection_does_not_hold_up_stopping(string on)
    {
        // The connection layer waits for a first byte as long as Kestrel's keep-alive timeout (130 s), as the HTTP
        // layer does; when the server stops, both end such a connection at once, unanswered.
        var server = new TestServer(new() { ["Hubbub:ConnectionLevelAccept"] = on });
        await using var silent = await RawConnection.OpenAsync(server);
        await using (var client = await server.ConnectAsync("cla13"))
        {
            Assert.True((await client.SubscribeAsync("public:cla")).TryGetProperty("epoch", out _)); // the silent one is being read
        }

        var stopping = Stopwatch.StartNew();
        await Task.Run(server.Dispose);

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {stopping.Elapsed}");
        Assert.Equal("", await silent.ReadUntilAsync("\r\n\r\n"));
    }

    [Fact]
    public async Task A_client_that_connects_and_closes_without_a_byte_leaves_the_server_serving()
    {
        for (var i = 0; i < 20; i++)
        {
            await using var raw = await RawConnection.OpenAsync(_server);
        }
        await using var client = await _server.ConnectAsync("cla9");
        Assert.True((await client.SubscribeAsync("public:cla")).TryGetProperty("epoch", out _));
    }

    [Fact]
    public async Task The_metrics_count_upgrades_by_layer()
    {
        await using (await _server.ConnectAsync("cla10"))
        {
        }
        var metrics = await _server.Http.GetStringAsync("/metrics");
        Assert.Contains("hubbub_websocket_upgrades_total{layer=\"connection\"}", metrics);
    }

    [Fact]
    public async Task The_101_reaches_the_client_together_with_the_welcome_in_one_write()
    {
        await using var raw = await RawConnection.OpenAsync(_server);
        await raw.SendAsync(RawConnection.Ascii(RawConnection.UpgradeHead(_server, "/ws?access_token=" + TestTokens.For("cla13"))));

        // One write on the server's side arrives whole on loopback, so the first read holds both; with the 101 sent on
        // its own it held the head alone.
        var first = System.Text.Encoding.UTF8.GetString(await raw.ReadOnceAsync());
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", first);
        Assert.Contains($"Sec-WebSocket-Accept: {RawConnection.ExpectedAccept}\r\n\r\n", first);
        Assert.Contains("\"type\":\"welcome\"", first);
    }

    [Fact]
    public async Task A_connection_over_its_users_cap_still_gets_its_101_then_the_error_and_the_close()
    {
        using var server = new TestServer(new() { ["Hubbub:MaxConnectionsPerUser"] = "1" });
        await using var held = await server.ConnectAsync("cla14");
        await using var raw = await RawConnection.OpenAsync(server);
        await raw.SendAsync(RawConnection.Ascii(RawConnection.UpgradeHead(server, "/ws?access_token=" + TestTokens.For("cla14"))));

        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", await raw.ReadHeadAsync());
        Assert.Contains("\"rate_limited\"", await raw.ReadTextFrameAsync());
        Assert.True(await raw.EndsWithinAsync(TimeSpan.FromSeconds(10)));
    }
}
