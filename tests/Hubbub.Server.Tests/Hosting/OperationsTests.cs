using System.Net;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Hosting;

/// <summary>/healthz, /readyz, /metrics, heartbeats, dead peers, logs without tokens, graceful shutdown.</summary>
public sealed class OperationsTests
{
    [Fact]
    public async Task Health_readiness_and_metrics_answer()
    {
        using var server = new TestServer();
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/readyz")).StatusCode);

        await using var c = await server.ConnectAsync("m1");
        await c.OkAsync("subscribe", new { channel = "public:metrics" });
        await c.OkAsync("publish", new { channel = "public:metrics", data = 1 });
        await c.NextAsync(f => f.Type() == "message");
        var metrics = await server.Http.GetStringAsync("/metrics");
        foreach (var name in new[]
        {
            "hubbub_connections ", "hubbub_frames_received_total", "hubbub_frames_sent_total", "hubbub_publications_total",
            "hubbub_slow_consumer_disconnects_total", "hubbub_rate_limited_total", "hubbub_publish_to_send_seconds_bucket",
        })
        {
            Assert.Contains(name, metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Logs_never_contain_the_token()
    {
        using var server = new TestServer();
        var token = TestTokens.For("secretive");
        await using (var c = await WsClient.ConnectAsync(server.WebSocketUri(token)))
        {
            await c.OkAsync("subscribe", new { channel = "public:logs" });
        }
        await WsClient.HandshakeStatusAsync(server.WebSocketUri(TestTokens.For("x", key: "wrong-key-wrong-key-wrong-key-!!")));
        var signature = token.Split('.')[2];
        Assert.NotEmpty(server.Logs);
        Assert.DoesNotContain(server.Logs, line => line.Contains(signature, StringComparison.Ordinal) || line.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Quiet_connections_get_an_application_heartbeat()
    {
        using var server = new TestServer(new() { ["Hubbub:HeartbeatMs"] = "200" });
        await using var c = await server.ConnectAsync("hb");
        Assert.Equal(200, c.Welcome.GetProperty("data").GetProperty("heartbeat_ms").GetInt32());
        var ping = await c.NextAsync(f => f.Type() == "ping", TimeSpan.FromSeconds(5));
        Assert.False(ping.TryGetProperty("id", out _));
        await c.SendRawAsync("""{"type":"pong"}"""); // answering is allowed and silent
        Assert.Equal("pong", (await c.RequestAsync("ping")).Type());
    }

    [Fact]
    public async Task Every_quiet_connection_gets_its_heartbeat_when_they_are_more_than_a_slice()
    {
        // The sweep pings 64 connections at a time, each slice after the sends of the one before: the ones past the
        // first slice must be reached in the same sweep too.
        using var server = new TestServer(new() { ["Hubbub:HeartbeatMs"] = "500" });
        var clients = new List<WsClient>();
        try
        {
            for (var i = 0; i < 300; i++)
            {
                clients.Add(await server.ConnectAsync($"hb{i}"));
            }
            var pings = await Task.WhenAll(clients.Select(c => c.NextAsync(f => f.Type() == "ping", TimeSpan.FromSeconds(20))));
            Assert.All(pings, ping => Assert.Equal("ping", ping.Type()));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task With_the_sweep_writing_pings_itself_every_quiet_connection_gets_one_and_a_silent_peer_is_still_dropped()
    {
        // The sweep writes each ping on its own thread, a slice at a time: connections past the first slices get theirs in
        // the same sweep, and a peer that answers no WebSocket ping is dropped as before, its presence removed.
        const int slice = 64; // ConnectionHost.HeartbeatSlice
        using var server = new TestServer(new() { ["Hubbub:HeartbeatMs"] = "400", ["Hubbub:ClientTimeoutMs"] = "1200" });
        var clients = new List<WsClient>();
        try
        {
            var watcher = await server.ConnectAsync("watch-many");
            clients.Add(watcher);
            await watcher.SubscribeAsync("public:silent-many");
            for (var i = 0; i < 3 * slice + 5; i++)
            {
                clients.Add(await server.ConnectAsync($"hbs{i}"));
            }
            using var silent = await SilentPeer.ConnectAsync(server, "ghost-many", "public:silent-many");
            Assert.Equal("ghost-many", (await watcher.NextAsync(f => f.Type() == "presence_join")).GetProperty("data").GetProperty("user").GetString());
            var pings = await Task.WhenAll(clients.Skip(1).Select(c => c.NextAsync(f => f.Type() == "ping", TimeSpan.FromSeconds(20))));
            Assert.Equal(3 * slice + 5, pings.Count(p => p.Type() == "ping"));
            var leave = await watcher.NextAsync(f => f.Type() == "presence_leave", TimeSpan.FromSeconds(10));
            Assert.Equal("ghost-many", leave.GetProperty("data").GetProperty("user").GetString());
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_silent_peer_is_dropped_and_its_presence_removed()
    {
        using var server = new TestServer(new() { ["Hubbub:HeartbeatMs"] = "200", ["Hubbub:ClientTimeoutMs"] = "600" });
        await using var watcher = await server.ConnectAsync("watch");
        await watcher.SubscribeAsync("public:silent");
        using var silent = await SilentPeer.ConnectAsync(server, "ghost", "public:silent");
        Assert.Equal("ghost", (await watcher.NextAsync(f => f.Type() == "presence_join")).GetProperty("data").GetProperty("user").GetString());
        var leave = await watcher.NextAsync(f => f.Type() == "presence_leave", TimeSpan.FromSeconds(10));
        Assert.Equal("ghost", leave.GetProperty("data").GetProperty("user").GetString());
    }

    [Fact]
    public async Task A_client_that_sends_nothing_but_answers_websocket_pings_stays_connected_past_many_timeouts()
    {
        // The keep-alive is the heartbeat sweep's (a PING with the connection's next frame): a peer heard from only
        // through its PONGs is alive. Twelve timeouts without a frame of its own, then it still gets answers.
        using var server = new TestServer(new() { ["Hubbub:HeartbeatMs"] = "200", ["Hubbub:ClientTimeoutMs"] = "400" });
        var engine = (Hubbub.Core.HubbubEngine)server.Services.GetService(typeof(Hubbub.Core.HubbubEngine))!;
        await using var c = await server.ConnectAsync("pong-only");
        await using var watcher = await server.ConnectAsync("watch-pong");
        await watcher.SubscribeAsync("public:pong-only");
        await c.SubscribeAsync("public:pong-only");
        await watcher.NextAsync(f => f.Type() == "presence_join");
        await Task.Delay(TimeSpan.FromSeconds(4.8));
        Assert.Equal(1, engine.Connections.CountOf("pong-only"));
        Assert.Equal("pong", (await c.RequestAsync("ping")).Type());
        Assert.DoesNotContain(watcher.Frames, f => f.Type() == "presence_leave");
    }

    [Fact]
    public async Task Shutdown_closes_every_connection_with_1001_and_readiness_turns_off()
    {
        var server = new TestServer();
        await using var a = await server.ConnectAsync("s1");
        await using var b = await server.ConnectAsync("s2");
        await a.SubscribeAsync("public:shutdown");
        var lifetime = (Microsoft.Extensions.Hosting.IHostApplicationLifetime)server.Services.GetService(typeof(Microsoft.Extensions.Hosting.IHostApplicationLifetime))!;
        var stopping = Task.Run(lifetime.StopApplication);
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, await a.WaitClosedAsync());
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, await b.WaitClosedAsync());
        await stopping;
        server.Dispose();
    }
}
