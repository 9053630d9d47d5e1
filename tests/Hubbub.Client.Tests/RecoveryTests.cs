using Hubbub.Client.Tests.Infrastructure;
using Hubbub.Protocol;

namespace Hubbub.Client.Tests;

/// <summary>Connection loss and server restarts against the real server: the client heals itself and says what it lost.</summary>
public sealed class RecoveryTests
{
    [Fact]
    public async Task A_dropped_connection_recovers_publications_sent_meanwhile_with_no_gap_and_no_duplicate()
    {
        await using var server = ServerHost.Start();
        await using var proxy = new LoopbackProxy(server.Port);
        await using var client = await Clients.ConnectedAsync(proxy.WsUrl, "42");
        var log = new StateLog(client);
        var feed = await client.SubscribeAsync("public:recover");
        var reloads = 0;
        feed.ReloadRequired += (_, _) => Interlocked.Increment(ref reloads);

        for (var i = 1; i <= 5; i++)
        {
            await server.PublishAsync("public:recover", new { n = i });
        }
        var first = await Eventually.ReadAsync(feed, 5);

        // Cut the network (no close frame) and keep it down while the server API publishes more.
        proxy.Drop(refuse: true);
        var disconnected = await log.NextAsync(ConnectionState.Disconnected);
        Assert.Null(disconnected.CloseCode);
        await log.NextAsync(ConnectionState.Reconnecting);
        for (var i = 6; i <= 15; i++)
        {
            await server.PublishAsync("public:recover", new { n = i });
        }
        proxy.Restore();
        await log.NextAsync(ConnectionState.Connected);
        for (var i = 16; i <= 20; i++)
        {
            await server.PublishAsync("public:recover", new { n = i });
        }

        var rest = await Eventually.ReadAsync(feed, 15);
        var offsets = first.Concat(rest).Select(e => e.Offset!.Value).ToList();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), offsets);
        Assert.Equal(Enumerable.Range(1, 20), first.Concat(rest).Select(e => e.Data.GetProperty("n").GetInt32()));
        Assert.Equal(0, reloads);
        Assert.True(proxy.Accepted >= 2);
    }

    [Fact]
    public async Task A_server_stopped_and_started_again_on_the_same_port_is_rejoined_and_the_app_is_told_to_reload()
    {
        var server = ServerHost.Start();
        var port = server.Port;
        await using var client = await Clients.ConnectedAsync(server.WsUrl, "42");
        var log = new StateLog(client);
        var feed = await client.SubscribeAsync("public:restart");
        await server.PublishAsync("public:restart", new { n = 1 });
        await server.PublishAsync("public:restart", new { n = 2 });
        Assert.Equal([1L, 2], (await Eventually.ReadAsync(feed, 2)).Select(e => e.Offset!.Value));
        var oldEpoch = feed.Epoch;

        await server.DisposeAsync(); // graceful stop: the server closes with 1001 (going away)
        var disconnected = await log.NextAsync(ConnectionState.Disconnected);
        Assert.Equal(CloseCodes.GoingAway, disconnected.CloseCode);
        await log.NextAsync(ConnectionState.Reconnecting);

        await using var restarted = ServerHost.Start(port);
        await log.NextAsync(ConnectionState.Connected);
        var reload = (await Eventually.ReadAsync(feed, 1))[0];
        Assert.Equal(HubbubEventKind.ReloadRequired, reload.Kind);
        Assert.Equal(HubbubEvent.NotRecovered, reload.Type);
        Assert.NotEqual(oldEpoch, reload.Epoch);
        Assert.Equal(reload.Epoch, feed.Epoch);

        await restarted.PublishAsync("public:restart", new { n = 3 });
        var next = (await Eventually.ReadAsync(feed, 1))[0];
        Assert.Equal(HubbubEventKind.Publication, next.Kind);
        Assert.Equal(1, next.Offset); // the new stream starts again at 1, and the client does not take it for a duplicate
        Assert.Equal(3, next.Data.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task The_token_provider_is_called_again_on_every_reconnect()
    {
        await using var server = ServerHost.Start();
        await using var proxy = new LoopbackProxy(server.Port);
        var calls = 0;
        await using var client = await Clients.ConnectedAsync(proxy.WsUrl, "42", o =>
        {
            o.Token = null;
            o.TokenProvider = _ =>
            {
                var n = Interlocked.Increment(ref calls);
                return ValueTask.FromResult(ServerHost.Token("42", $"refresh {n}"));
            };
        });
        var log = new StateLog(client);
        Assert.Equal(1, calls);
        Assert.Equal("refresh 1", client.Welcome!.Name);

        proxy.Drop(refuse: false);
        await log.NextAsync(ConnectionState.Connected);
        Assert.True(calls >= 2);
        Assert.Equal($"refresh {calls}", client.Welcome!.Name);
    }

    [Fact]
    public async Task A_failing_token_provider_counts_as_a_failed_attempt_and_is_retried()
    {
        await using var server = ServerHost.Start();
        var calls = 0;
        await using var client = Clients.For(server.WsUrl, "42", o =>
        {
            o.Token = null;
            o.TokenProvider = _ => Interlocked.Increment(ref calls) < 3
                ? throw new InvalidOperationException("identity provider down")
                : ValueTask.FromResult(ServerHost.Token("42"));
        });
        var log = new StateLog(client);
        await client.ConnectAsync();
        Assert.Equal(3, calls);
        Assert.Equal(2, log.All.Count(e => e.State == ConnectionState.Reconnecting));
        Assert.Contains(log.All, e => e.Reason == "the token provider failed");
    }

    [Fact]
    public async Task Requests_made_while_offline_are_sent_in_order_after_reconnect()
    {
        await using var server = ServerHost.Start();
        await using var proxy = new LoopbackProxy(server.Port);
        await using var writer = await Clients.ConnectedAsync(proxy.WsUrl, "1");
        await using var reader = await Clients.ConnectedAsync(server.WsUrl, "2");
        var log = new StateLog(writer);
        var feed = await reader.SubscribeAsync("public:queue");

        proxy.Drop(refuse: true);
        await log.NextAsync(ConnectionState.Reconnecting);
        var sends = Enumerable.Range(1, 10).Select(i => writer.PublishAsync("public:queue", new { n = i })).ToList();
        Assert.All(sends, s => Assert.False(s.IsCompleted));
        proxy.Restore();

        var offsets = await Task.WhenAll(sends);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), offsets);
        var received = await Eventually.ReadAsync(feed, 10);
        Assert.Equal(Enumerable.Range(1, 10), received.Select(e => e.Data.GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task Offline_queue_overflow_drops_the_oldest_with_an_event_and_flushes_the_rest_in_order()
    {
        await using var server = ServerHost.Start();
        await using var reader = await Clients.ConnectedAsync(server.WsUrl, "2");
        var feed = await reader.SubscribeAsync("public:overflow");
        await using var writer = Clients.For(server.WsUrl, "1", o => o.OfflineQueueCapacity = 3);
        var dropped = new List<MessageDroppedEventArgs>();
        writer.MessageDropped += (_, e) => dropped.Add(e);

        // Not connected yet: everything queues.
        var sends = Enumerable.Range(1, 5).Select(i => writer.PublishAsync("public:overflow", new { n = i })).ToList();
        Assert.Equal(2, dropped.Count);
        Assert.All(dropped, d => Assert.Equal(("publish", "public:overflow"), (d.Type, d.Channel)));
        await Assert.ThrowsAsync<HubbubConnectionException>(() => sends[0]);
        await Assert.ThrowsAsync<HubbubConnectionException>(() => sends[1]);

        await writer.ConnectAsync();
        var offsets = await Task.WhenAll(sends.Skip(2));
        Assert.Equal([1L, 2, 3], offsets);
        var received = await Eventually.ReadAsync(feed, 3);
        Assert.Equal([3, 4, 5], received.Select(e => e.Data.GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task A_request_cancelled_while_queued_is_never_sent()
    {
        await using var server = ServerHost.Start();
        await using var proxy = new LoopbackProxy(server.Port);
        await using var writer = await Clients.ConnectedAsync(proxy.WsUrl, "1");
        var log = new StateLog(writer);
        proxy.Drop(refuse: true);
        await log.NextAsync(ConnectionState.Reconnecting);

        using var cancel = new CancellationTokenSource();
        var cancelled = writer.PublishAsync("public:cancel", new { n = 0 }, ct: cancel.Token);
        var kept = writer.PublishAsync("public:cancel", new { n = 1 });
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        proxy.Restore();
        Assert.Equal(1, await kept); // the cancelled one never reached the server
        var history = await writer.HistoryAsync("public:cancel");
        Assert.Equal(1, history.Publications.Single().Data.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Cancelling_ConnectAsync_only_stops_waiting_and_a_subscription_made_offline_completes_once_connected()
    {
        var port = LoopbackPort.Free();
        await using var client = Clients.For(new Uri($"ws://127.0.0.1:{port}/ws"), "42");
        var log = new StateLog(client);
        using (var cts = new CancellationTokenSource())
        {
            var connect = client.ConnectAsync(cts.Token);
            await log.NextAsync(ConnectionState.Reconnecting);
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect);
        }
        var subscribing = client.SubscribeAsync("public:late");
        Assert.False(subscribing.IsCompleted);

        await using var server = ServerHost.Start(port);
        var feed = await subscribing.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(ConnectionState.Connected, client.State);
        await server.PublishAsync("public:late", new { n = 1 });
        Assert.Equal(1, (await Eventually.ReadAsync(feed, 1))[0].Offset);
    }

    [Fact]
    public async Task A_throwing_event_handler_does_not_stop_delivery()
    {
        await using var server = ServerHost.Start();
        await using var client = await Clients.ConnectedAsync(server.WsUrl, "42");
        client.StateChanged += (_, _) => throw new InvalidOperationException("app bug");
        var feed = await client.SubscribeAsync("public:handler");
        feed.Received += (_, _) => throw new InvalidOperationException("app bug");
        await server.PublishAsync("public:handler", new { n = 1 });
        await server.PublishAsync("public:handler", new { n = 2 });
        Assert.Equal([1L, 2], (await Eventually.ReadAsync(feed, 2)).Select(e => e.Offset!.Value));
    }
}
