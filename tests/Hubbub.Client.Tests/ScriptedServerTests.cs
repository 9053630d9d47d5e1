using System.Text.Json;
using Hubbub.Client.Tests.Infrastructure;
using Hubbub.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Client.Tests;

/// <summary>Server behaviour the real server cannot be made to show on demand, played by a scripted WebSocket peer on loopback.</summary>
public sealed class ScriptedServerTests
{
    private static HubbubClient Client(Uri url, TimeProvider? time = null) => Clients.For(url, "42", o =>
    {
        if (time is not null)
        {
            o.TimeProvider = time;
        }
    });

    [Fact]
    public async Task The_servers_ping_is_answered_with_pong()
    {
        var pong = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await ScriptedServer.StartAsync(async (socket, _) =>
        {
            await socket.WelcomeAsync();
            await socket.SendAsync("""{"type":"ping"}""");
            var answer = await socket.ReceiveAsync();
            pong.TrySetResult(answer!.RootElement.GetRawText());
            await socket.DrainAsync();
        });
        await using var client = Client(server.WsUrl);
        await client.ConnectAsync();
        Assert.Equal("""{"type":"pong"}""", await pong.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(4403)]
    [InlineData(4400)]
    [InlineData(4499)]
    [InlineData(1000)]
    public async Task Close_codes_that_mean_do_not_reconnect_stop_the_client_for_good(int code)
    {
        await using var server = await ScriptedServer.StartAsync(async (socket, _) =>
        {
            await socket.WelcomeAsync();
            await socket.CloseAsync(code, "go away");
        });
        await using var client = Client(server.WsUrl);
        var log = new StateLog(client);
        var feed = client.SubscribeAsync("public:x");
        await client.ConnectAsync();
        var stopped = await log.NextAsync(ConnectionState.Stopped);
        Assert.Equal(code, stopped.CloseCode);
        Assert.Equal("go away", stopped.Reason);
        Assert.DoesNotContain(log.All, e => e.State == ConnectionState.Reconnecting);
        Assert.Equal(1, server.Connections);
        await Assert.ThrowsAsync<HubbubConnectionException>(() => feed);
        await Assert.ThrowsAsync<HubbubConnectionException>(() => client.PublishAsync("public:x", 1));
    }

    [Theory]
    [InlineData(1001)]
    [InlineData(1011)]
    [InlineData(4000)]
    [InlineData(4001)]
    [InlineData(4029)]
    public async Task Other_close_codes_reconnect(int code)
    {
        await using var server = await ScriptedServer.StartAsync(async (socket, n) =>
        {
            await socket.WelcomeAsync();
            if (n == 1)
            {
                await socket.CloseAsync(code, "again");
                return;
            }
            await socket.DrainAsync();
        });
        await using var client = Client(server.WsUrl);
        var log = new StateLog(client);
        await client.ConnectAsync();
        var disconnected = await log.NextAsync(ConnectionState.Disconnected);
        Assert.Equal(code, disconnected.CloseCode);
        Assert.NotNull((await log.NextAsync(ConnectionState.Reconnecting)).Delay);
        await log.NextAsync(ConnectionState.Connected);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task A_silent_connection_is_dropped_after_twice_the_heartbeat_and_replaced()
    {
        var time = new FakeTimeProvider();
        await using var server = await ScriptedServer.StartAsync(async (socket, _) =>
        {
            await socket.WelcomeAsync(heartbeatMs: 1000);
            await socket.DrainAsync(); // then never sends anything again
        });
        await using var client = Client(server.WsUrl, time);
        var log = new StateLog(client);
        await client.ConnectAsync();
        await log.NextAsync(ConnectionState.Connected);

        time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(log.HasPending, "still alive before 2 × heartbeat_ms");
        time.Advance(TimeSpan.FromMilliseconds(1));
        var disconnected = await log.NextAsync(ConnectionState.Disconnected);
        Assert.Contains("heartbeat timeout", disconnected.Reason);
        var reconnecting = await log.NextAsync(ConnectionState.Reconnecting);
        time.Advance(reconnecting.Delay!.Value);
        await log.NextAsync(ConnectionState.Connected);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task Any_frame_from_the_server_proves_liveness()
    {
        var time = new FakeTimeProvider();
        var ping = new SemaphoreSlim(0);
        var ponged = new SemaphoreSlim(0);
        await using var server = await ScriptedServer.StartAsync(async (socket, _) =>
        {
            await socket.WelcomeAsync(heartbeatMs: 1000);
            for (var i = 0; i < 3; i++)
            {
                await ping.WaitAsync(TimeSpan.FromSeconds(10));
                await socket.SendAsync("""{"type":"ping"}""");
                await socket.ReceiveTypeAsync("pong");
                ponged.Release();
            }
            await socket.DrainAsync();
        });
        await using var client = Client(server.WsUrl, time);
        var log = new StateLog(client);
        await client.ConnectAsync();
        for (var i = 0; i < 3; i++)
        {
            // 1.5 s of silence each time: past one heartbeat, short of two; the ping resets the watchdog.
            time.Advance(TimeSpan.FromMilliseconds(1500));
            ping.Release();
            Assert.True(await ponged.WaitAsync(TimeSpan.FromSeconds(10)), "the client answered the ping");
        }
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.DoesNotContain(log.All, e => e.State == ConnectionState.Disconnected);
        time.Advance(TimeSpan.FromMilliseconds(2000));
        Assert.Contains("heartbeat timeout", (await log.NextAsync(ConnectionState.Disconnected)).Reason);
    }

    [Fact]
    public async Task Replayed_duplicates_are_dropped_by_offset_and_stream_reset_asks_for_a_reload()
    {
        var sinceSeen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await ScriptedServer.StartAsync(async (socket, n) =>
        {
            await socket.WelcomeAsync();
            var subscribe = await socket.ReceiveTypeAsync("subscribe");
            var id = subscribe.GetProperty("id").GetInt64();
            if (n == 1)
            {
                await socket.SendAsync($$$"""{"type":"reply","id":{{{id}}},"data":{"offset":0,"epoch":"e1"}}""");
                for (var i = 1; i <= 3; i++)
                {
                    await socket.SendAsync($$$"""{"type":"message","channel":"public:s","offset":{{{i}}},"data":{"n":{{{i}}}}}""");
                }
                await socket.CloseAsync(1011, "oops");
                return;
            }
            sinceSeen.TrySetResult(subscribe.GetProperty("data").GetProperty("since").GetRawText());
            await socket.SendAsync($$$"""{"type":"reply","id":{{{id}}},"data":{"offset":5,"epoch":"e1","recovered":true}}""");
            // A sloppy replay that starts too early: 2 and 3 were already delivered.
            for (var i = 2; i <= 5; i++)
            {
                await socket.SendAsync($$$"""{"type":"message","channel":"public:s","offset":{{{i}}},"data":{"n":{{{i}}}}}""");
            }
            await socket.SendAsync("""{"type":"stream_reset","channel":"public:s","data":{"epoch":"e2"}}""");
            await socket.SendAsync("""{"type":"message","channel":"public:s","offset":1,"data":{"n":6}}""");
            await socket.DrainAsync();
        });
        await using var client = Client(server.WsUrl);
        await client.ConnectAsync();
        var feed = await client.SubscribeAsync("public:s");
        var events = await Eventually.ReadAsync(feed, 7);

        Assert.Equal("""{"offset":3,"epoch":"e1"}""", await sinceSeen.Task);
        Assert.Equal([1, 2, 3, 4, 5], events.Take(5).Select(e => e.Data.GetProperty("n").GetInt32()));
        Assert.Equal(HubbubEventKind.ReloadRequired, events[5].Kind);
        Assert.Equal(MessageTypes.StreamReset, events[5].Type);
        Assert.Equal("e2", events[5].Epoch);
        Assert.Equal((1L, "e2", 6), (events[6].Offset!.Value, events[6].Epoch!, events[6].Data.GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task Malformed_frames_are_ignored_and_an_oversized_one_drops_the_connection()
    {
        await using var server = await ScriptedServer.StartAsync(async (socket, n) =>
        {
            await socket.WelcomeAsync();
            if (n == 1)
            {
                foreach (var junk in new[] { "not json", "[]", "{}", """{"type":5}""", """{"type":"reply","id":"x"}""", """{"type":"reply","id":99999}""",
                    """{"type":"message","channel":"nowhere","offset":1}""", """{"type":"error","data":{"code":"internal","message":"hm"}}""" })
                {
                    await socket.SendAsync(junk);
                }
                await socket.SendAsync($$$"""{"type":"message","data":"{{{new string('x', 5000)}}}"}""");
            }
            await socket.DrainAsync();
        });
        await using var client = Clients.For(server.WsUrl, "42", o => o.MaxIncomingFrameBytes = 4096);
        var log = new StateLog(client);
        await client.ConnectAsync();
        var disconnected = await log.NextAsync(ConnectionState.Disconnected);
        Assert.Contains("larger than 4096", disconnected.Reason);
        await log.NextAsync(ConnectionState.Connected);
    }

    [Fact]
    public async Task A_server_that_never_welcomes_is_given_up_on_after_the_connect_timeout()
    {
        var time = new FakeTimeProvider();
        await using var server = await ScriptedServer.StartAsync((socket, _) => socket.DrainAsync());
        await using var client = Client(server.WsUrl, time);
        var log = new StateLog(client);
        _ = client.ConnectAsync();
        await Eventually.TrueAsync(() => server.Connections == 1, "the socket to open");
        time.Advance(TimeSpan.FromSeconds(10));
        var reconnecting = await log.NextAsync(ConnectionState.Reconnecting);
        Assert.Contains("no welcome", reconnecting.Reason);
    }

    [Fact]
    public async Task A_request_without_a_reply_times_out()
    {
        var time = new FakeTimeProvider();
        var got = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await ScriptedServer.StartAsync(async (socket, _) =>
        {
            await socket.WelcomeAsync();
            await socket.ReceiveTypeAsync("publish");
            got.TrySetResult();
            await socket.DrainAsync();
        });
        await using var client = Client(server.WsUrl, time);
        await client.ConnectAsync();
        var publish = client.PublishAsync("public:x", JsonDocument.Parse("{}").RootElement);
        await got.Task.WaitAsync(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(30));
        var error = await Assert.ThrowsAsync<HubbubConnectionException>(() => publish);
        Assert.Contains("no reply", error.Message);
    }

    [Fact]
    public async Task A_request_in_flight_when_the_connection_dies_fails_as_unknown_and_is_not_resent()
    {
        var firstOnSecondConnection = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await ScriptedServer.StartAsync(async (socket, n) =>
        {
            await socket.WelcomeAsync();
            var publish = await socket.ReceiveTypeAsync("publish");
            if (n == 1)
            {
                await socket.CloseAsync(1011, "crashed mid-request");
                return;
            }
            firstOnSecondConnection.TrySetResult(publish.GetProperty("data").GetProperty("data").GetProperty("n").GetInt32());
            await socket.SendAsync($$$"""{"type":"reply","id":{{{publish.GetProperty("id").GetInt64()}}},"data":{"offset":7}}""");
            await socket.DrainAsync();
        });
        await using var client = Client(server.WsUrl);
        var log = new StateLog(client);
        await client.ConnectAsync();
        var error = await Assert.ThrowsAsync<HubbubConnectionException>(() => client.PublishAsync("public:x", new { n = 1 }));
        Assert.Contains("may or may not", error.Message);
        await log.NextAsync(ConnectionState.Connected);
        Assert.Equal(7, await client.PublishAsync("public:x", new { n = 2 }));
        Assert.Equal(2, await firstOnSecondConnection.Task);
    }
}
