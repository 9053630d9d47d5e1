using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Hubbub.Client.Tests.Infrastructure;

namespace Hubbub.Client.Tests;

/// <summary>
/// <c>CallAsync(..., new CallOptions { Queue = false })</c> for what must never be sent late, and <c>client.Rest</c>,
/// the REST API with the client's own token: against the real server (behind a proxy that cuts the network).
/// </summary>
public sealed class CallOptionsAndRestTests : IAsyncLifetime
{
    private ServerHost _server = null!;

    public Task InitializeAsync()
    {
        _server = ServerHost.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Queue_false_fails_at_once_while_offline_and_is_never_sent_later_while_a_queued_call_is()
    {
        await using var watcher = await Clients.ConnectedAsync(_server.WsUrl, "watcher");
        var bids = await watcher.SubscribeAsync("public:bids");
        await using var proxy = new LoopbackProxy(_server.Port);
        await using var bidder = await Clients.ConnectedAsync(proxy.WsUrl, "bidder");
        var log = new StateLog(bidder);
        var noQueue = new CallOptions { Queue = false };

        await bidder.CallAsync("publish", new { channel = "public:bids", data = new { text = "online" } }, noQueue);

        proxy.Drop(refuse: true);
        await log.NextAsync(ConnectionState.Reconnecting);
        var refused = await Assert.ThrowsAsync<HubbubConnectionException>(
            () => bidder.CallAsync("publish", new { channel = "public:bids", data = new { text = "late bid" } }, noQueue));
        Assert.True(refused.NeverSent);
        var queued = bidder.CallAsync("publish", new { channel = "public:bids", data = new { text = "queued" } });
        Assert.False(queued.IsCompleted, "the default still waits in the offline queue");

        proxy.Restore();
        await queued.WaitAsync(TimeSpan.FromSeconds(15));
        var received = await Eventually.ReadAsync(bids, 2);
        // Everything the watcher got from the bidder, in order: the refused call is not among it.
        Assert.Equal(["online", "queued"], received.Select(e => e.Data.GetProperty("text").GetString()));
        await bidder.PublishAsync("public:bids", new { text = "last" });
        var last = await Eventually.ReadAsync(bids, 1);
        Assert.Equal("last", last[0].Data.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_command_refusal_carries_the_features_reason_as_rest_does()
    {
        await using var ada = await Clients.ConnectedAsync(_server.WsUrl, "dotnet-reason-ada");
        // A new user's wallet is empty: conflict, reason insufficient_funds.
        var refused = await Assert.ThrowsAsync<HubbubRequestException>(() => ada.CallAsync("wallet.transfer",
            new { to = "dotnet-reason-bob", currency = "coins", amount = 600, id = "t-reason" }));
        Assert.Equal(("conflict", "insufficient_funds", "wallet.transfer"), (refused.Code, refused.Reason, refused.RequestType));
        var unknown = await Assert.ThrowsAsync<HubbubRequestException>(() => ada.CallAsync("no_such_command", new { }));
        Assert.Equal("bad_request", unknown.Code);
        Assert.Null(unknown.Reason);
    }

    [Fact]
    public async Task A_frame_over_the_servers_limit_is_refused_alone_unsent_and_the_connection_stays()
    {
        await using var client = await Clients.ConnectedAsync(_server.WsUrl, "dotnet-big");
        var log = new StateLog(client);
        var limit = client.Welcome!.Limits.MaxFrameBytes;
        var pending = client.PublishAsync("public:dotnet-big", new { text = "in flight" });

        var refused = await Assert.ThrowsAsync<HubbubRequestException>(() => client.PublishAsync("public:dotnet-big", new { big = new string('x', limit) }));
        Assert.Equal("too_large", refused.Code);
        Assert.Contains("not sent", refused.Message, StringComparison.Ordinal);
        Assert.True(await pending > 0, "the request in flight beside it was answered");
        Assert.True(await client.PublishAsync("public:dotnet-big", new { text = "after" }) > 0);
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.DoesNotContain(log.All, e => e.State == ConnectionState.Reconnecting);
    }

    [Fact]
    public async Task Queue_false_before_the_first_connection_fails_too()
    {
        await using var client = Clients.For(_server.WsUrl, "early");
        var error = await Assert.ThrowsAsync<HubbubConnectionException>(() => client.CallAsync("ping", new { }, new CallOptions { Queue = false }));
        Assert.True(error.NeverSent);
    }

    [Fact]
    public void The_rest_base_url_is_derived_from_the_websocket_url_or_set()
    {
        Assert.Equal(new Uri("http://127.0.0.1:5080/"), HubbubRestClient.RestUrlFor(new Uri("ws://127.0.0.1:5080/ws")));
        Assert.Equal(new Uri("https://chat.example.com/hubbub/"), HubbubRestClient.RestUrlFor(new Uri("wss://chat.example.com/hubbub/ws?x=1")));
        var custom = new HubbubClient(new HubbubClientOptions { Url = new("ws://h/ws"), Token = "t", RestUrl = new("https://api.example.com/v1") });
        Assert.Equal(new Uri("https://api.example.com/v1/"), custom.Rest.BaseUrl);
    }

    [Fact]
    public async Task Rest_calls_carry_the_token_from_the_provider_on_each_call()
    {
        var tokens = 0;
        await using var ada = new HubbubClient(new HubbubClientOptions
        {
            Url = _server.WsUrl,
            TokenProvider = _ => { Interlocked.Increment(ref tokens); return ValueTask.FromResult(ServerHost.Token("ada", "Ada")); },
        });
        var created = await ada.Rest.PostAsync("/api/conversations", new { participants = new[] { "bob" } });
        Assert.Equal("direct", created.GetProperty("kind").GetString());
        var id = created.GetProperty("id").GetString();
        var list = await ada.Rest.GetAsync("/api/conversations?limit=5");
        Assert.Equal([id], list.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Equal(2, tokens);

        // One user on both doors: a message sent over REST arrives on the WebSocket subscription.
        await ada.ConnectAsync();
        var conversation = await ada.SubscribeAsync($"conversation:{id}");
        var sent = await ada.Rest.PostAsync($"/api/conversations/{id}/messages", new { text = "over REST" });
        var arrived = await Eventually.ReadAsync(conversation, 1, e => e.Type == "message");
        Assert.Equal(sent.GetProperty("id").GetString(), arrived[0].Data.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Rest_errors_are_typed_with_code_status_and_message()
    {
        await using var ada = Clients.For(_server.WsUrl, "ada2");
        var missing = await Assert.ThrowsAsync<HubbubRestException>(() => ada.Rest.GetAsync("/api/conversations/999999999"));
        Assert.Equal("not_found", missing.Code);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("GET", missing.Method);
        Assert.False(string.IsNullOrEmpty(missing.ServerMessage));
        var bad = await Assert.ThrowsAsync<HubbubRestException>(() => ada.Rest.PostAsync("/api/conversations", new { participants = "not a list" }));
        Assert.Equal("bad_request", bad.Code);

        var token = ServerHost.Token("ada3");
        await using var forged = new HubbubClient(new HubbubClientOptions { Url = _server.WsUrl, Token = token[..^4] + "AAAA" });
        var refused = await Assert.ThrowsAsync<HubbubRestException>(() => forged.Rest.GetAsync("/api/conversations"));
        Assert.Equal("unauthorized", refused.Code);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_connection_error()
    {
        var port = LoopbackPort.Free();
        await using var nobody = Clients.For(new Uri($"ws://127.0.0.1:{port}/ws"), "x");
        await Assert.ThrowsAsync<HubbubConnectionException>(() => nobody.Rest.GetAsync("/api/conversations"));
    }

    [Fact]
    public async Task A_feature_reason_and_a_bodiless_error_are_read_from_the_answer()
    {
        // A scripted HTTP server answering as FEATURES.md says a feature refuses (no built-in endpoint sends a reason yet).
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var requests = new List<string>();
        var serve = Task.Run(async () =>
        {
            string[] answers =
            [
                "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: {0}\r\nConnection: close\r\n\r\n{1}",
                "HTTP/1.1 415 Unsupported Media Type\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            ];
            const string conflict = """{"code":"conflict","reason":"bid_too_low","message":"a bid must be at least 110"}""";
            foreach (var answer in answers)
            {
                using var socket = await listener.AcceptTcpClientAsync();
                var stream = socket.GetStream();
                var buffer = new byte[8192];
                var read = await stream.ReadAsync(buffer);
                requests.Add(Encoding.ASCII.GetString(buffer, 0, read));
                var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, answer, Encoding.UTF8.GetByteCount(conflict), conflict);
                await stream.WriteAsync(Encoding.UTF8.GetBytes(text));
            }
        });
        try
        {
            await using var client = new HubbubClient(new HubbubClientOptions { Url = new($"ws://127.0.0.1:{port}/ws"), Token = "jwt-1" });
            var low = await Assert.ThrowsAsync<HubbubRestException>(() => client.Rest.PostAsync("/api/auctions/7/bids", new { amount = 100 }));
            Assert.Equal(("conflict", "bid_too_low", HttpStatusCode.Conflict, "a bid must be at least 110"), (low.Code, low.Reason, low.StatusCode, low.ServerMessage));
            var bodiless = await Assert.ThrowsAsync<HubbubRestException>(() => client.Rest.GetAsync("/api/other"));
            Assert.Equal(("bad_request", null, HttpStatusCode.UnsupportedMediaType), (bodiless.Code, bodiless.Reason, bodiless.StatusCode));
            await serve.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.StartsWith("POST /api/auctions/7/bids HTTP/1.1", requests[0], StringComparison.Ordinal);
            Assert.Contains("Authorization: Bearer jwt-1", requests[0], StringComparison.Ordinal);
            Assert.Contains("""{"amount":100}""", requests[0], StringComparison.Ordinal);
        }
        finally
        {
            listener.Stop();
        }
    }
}
