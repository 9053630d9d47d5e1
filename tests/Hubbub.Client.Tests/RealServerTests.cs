using System.Text.Json;
using Hubbub.Client.Tests.Infrastructure;
using Hubbub.Protocol;

namespace Hubbub.Client.Tests;

/// <summary>Every request type against the real server over loopback.</summary>
public sealed class RealServerTests : IAsyncLifetime
{
    private ServerHost _server = null!;

    public Task InitializeAsync()
    {
        _server = ServerHost.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private sealed record Chat(string Text);

    [Fact]
    public async Task Publications_fan_out_in_order_with_offsets_and_sender()
    {
        await using var ada = await Clients.ConnectedAsync(_server.WsUrl, "1");
        await using var bob = await Clients.ConnectedAsync(_server.WsUrl, "2");
        var adaRoom = await ada.SubscribeAsync("public:fanout");
        var bobRoom = await bob.SubscribeAsync("public:fanout");
        Assert.Equal(0, bobRoom.Offset);
        Assert.NotNull(bobRoom.Epoch);

        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal(i, await adaRoom.PublishAsync(new Chat($"m{i}")));
        }
        var received = await Eventually.ReadAsync(bobRoom, 5);
        Assert.Equal([1L, 2, 3, 4, 5], received.Select(e => e.Offset!.Value));
        Assert.All(received, e => Assert.Equal(HubbubEventKind.Publication, e.Kind));
        Assert.Equal("m3", received[2].DataAs<Chat>()!.Text);
        Assert.Equal("1", received[0].From!.User);
        Assert.Equal("message", received[0].Type);
        Assert.Equal(bobRoom.Epoch, received[0].Epoch);
        Assert.Equal(5, bobRoom.Offset);
    }

    [Fact]
    public async Task Errors_are_typed_with_the_server_code()
    {
        await using var client = await Clients.ConnectedAsync(_server.WsUrl, "42");
        var forbidden = await Assert.ThrowsAsync<HubbubRequestException>(() => client.PublishAsync("user:99", new Chat("no")));
        Assert.Equal(ErrorCodes.Forbidden, forbidden.Code);
        Assert.Equal("publish", forbidden.RequestType);

        var unknown = await Assert.ThrowsAsync<HubbubRequestException>(() => client.CallAsync("no_such_thing", new { }));
        Assert.Equal(ErrorCodes.BadRequest, unknown.Code);

        var badChannel = await Assert.ThrowsAsync<HubbubRequestException>(() => client.SubscribeAsync("user:99"));
        Assert.Equal(ErrorCodes.Forbidden, badChannel.Code);
        // The refused subscription is gone: subscribing to a channel that is allowed still works, and again to the refused one fails again.
        await client.SubscribeAsync("user:42");
        await Assert.ThrowsAsync<HubbubRequestException>(() => client.SubscribeAsync("user:99"));

        var history = await Assert.ThrowsAsync<HubbubRequestException>(() => client.HistoryAsync("public:x", limit: 0));
        Assert.Equal(ErrorCodes.BadRequest, history.Code);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SubscribeAsync("user:42"));
        await Assert.ThrowsAsync<ArgumentException>(() => client.CursorAsync("public:x", 5));
    }

    [Fact]
    public async Task CallAsync_sends_any_request_and_returns_the_reply_data()
    {
        await using var client = await Clients.ConnectedAsync(_server.WsUrl, "42");
        var reply = await client.CallAsync("publish", new { channel = "public:call", data = new { n = 1 } });
        Assert.Equal(1, reply.GetProperty("offset").GetInt64());
        var top = await client.CallAsync("subscribe", new { channel = "public:call" });
        Assert.Equal(1, top.GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task History_returns_publications_oldest_first()
    {
        await using var client = await Clients.ConnectedAsync(_server.WsUrl, "42");
        for (var i = 1; i <= 4; i++)
        {
            await _server.PublishAsync("public:history", new { n = i });
        }
        var all = await client.HistoryAsync("public:history");
        Assert.Equal([1L, 2, 3, 4], all.Publications.Select(p => p.Offset!.Value));
        Assert.Equal(4, all.Offset);
        Assert.Null(all.Publications[0].From);
        var latest = await client.HistoryAsync("public:history", limit: 2);
        Assert.Equal([3L, 4], latest.Publications.Select(p => p.Offset!.Value));
        var since = await client.HistoryAsync("public:history", since: new StreamPosition(2, all.Epoch));
        Assert.Equal([3L, 4], since.Publications.Select(p => p.Offset!.Value));
    }

    [Fact]
    public async Task Presence_lists_members_and_announces_joins_and_leaves()
    {
        await using var ada = await Clients.ConnectedAsync(_server.WsUrl, "1");
        var room = await ada.SubscribeAsync("public:presence");
        var bob = await Clients.ConnectedAsync(_server.WsUrl, "2");
        await bob.SubscribeAsync("public:presence");

        var join = (await Eventually.ReadAsync(room, 1, e => e.Type == MessageTypes.PresenceJoin && e.Data.GetProperty("user").GetString() == "2"))[0];
        Assert.Equal(HubbubEventKind.Ephemeral, join.Kind);
        Assert.Null(join.Offset);
        var members = await room.PresenceAsync();
        Assert.Equal(["1", "2"], members.Select(m => m.User).Order());

        await bob.DisposeAsync();
        await Eventually.ReadAsync(room, 1, e => e.Type == MessageTypes.PresenceLeave && e.Data.GetProperty("user").GetString() == "2");
    }

    [Fact]
    public async Task Typing_and_cursors_reach_the_others_as_ephemeral_events()
    {
        await using var ada = await Clients.ConnectedAsync(_server.WsUrl, "1");
        await using var bob = await Clients.ConnectedAsync(_server.WsUrl, "2");
        var adaDoc = await ada.SubscribeAsync("public:doc");
        var bobDoc = await bob.SubscribeAsync("public:doc");

        await adaDoc.TypingAsync(true);
        var typing = (await Eventually.ReadAsync(bobDoc, 1, e => e.Type == MessageTypes.Typing))[0];
        Assert.Equal("1", typing.Data.GetProperty("user").GetString());
        Assert.True(typing.Data.GetProperty("is_typing").GetBoolean());

        await adaDoc.CursorAsync(new { x = 10, y = 20 });
        var cursor = (await Eventually.ReadAsync(bobDoc, 1, e => e.Type == MessageTypes.Cursor))[0];
        Assert.Equal(10, cursor.Data.GetProperty("x").GetInt32());
        Assert.Equal("1", cursor.Data.GetProperty("user").GetString());
        Assert.Null(cursor.Offset);
    }

    [Fact]
    public async Task Received_event_and_unbuffered_subscriptions_deliver_without_an_enumerator()
    {
        await using var client = await Clients.ConnectedAsync(_server.WsUrl, "42");
        var got = new List<long>();
        var sub = await client.SubscribeAsync("public:events", buffered: false);
        sub.Received += (_, e) => { lock (got) { got.Add(e.Offset ?? -1); } };
        await _server.PublishAsync("public:events", new { n = 1 });
        await _server.PublishAsync("public:events", new { n = 2 });
        await Eventually.TrueAsync(() => { lock (got) { return got.Count == 2; } }, "two events");
        Assert.Equal([1L, 2], got);
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in sub.ReadAllAsync())
            {
            }
        });
    }

    [Fact]
    public async Task Unsubscribe_ends_the_stream_and_stops_delivery()
    {
        await using var client = await Clients.ConnectedAsync(_server.WsUrl, "42");
        var sub = await client.SubscribeAsync("public:leave");
        await sub.UnsubscribeAsync();
        await foreach (var _ in sub.ReadAllAsync())
        {
            Assert.Fail("the stream should have ended");
        }
        // Subscribing again to the same channel is allowed once unsubscribed.
        var again = await client.SubscribeAsync("public:leave");
        await _server.PublishAsync("public:leave", new { n = 1 });
        Assert.Equal(1, (await Eventually.ReadAsync(again, 1))[0].Offset);
    }

    [Fact]
    public async Task Dispose_closes_normally_and_fails_nothing_silently()
    {
        var client = await Clients.ConnectedAsync(_server.WsUrl, "42");
        var log = new StateLog(client);
        var sub = await client.SubscribeAsync("public:bye");
        await client.DisposeAsync();
        var stopped = await log.NextAsync(ConnectionState.Stopped);
        Assert.Equal(1000, stopped.CloseCode);
        await foreach (var _ in sub.ReadAllAsync())
        {
        }
        await Assert.ThrowsAsync<HubbubConnectionException>(() => client.PublishAsync("public:bye", JsonDocument.Parse("1").RootElement));
    }
}
