using System.Text.Json;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>PROTOCOL "Core message types": ping, subscribe, publish, offsets, fan-out, unsubscribe, history.</summary>
public sealed class PubSubTests : IClassFixture<SharedServer>
{
    private readonly TestServer _server;

    public PubSubTests(SharedServer shared) => _server = shared.Server;

    private static string Channel() => "public:" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Ping_gets_pong_with_the_same_data_and_id()
    {
        await using var c = await _server.ConnectAsync("1");
        await c.SendRawAsync("""{"type":"ping","id":"abc","data":{"n":[1,2,3]}}""");
        var pong = await c.NextAsync(f => f.Type() == "pong");
        Assert.Equal("abc", pong.GetProperty("id").GetString());
        Assert.Equal("""{"n":[1,2,3]}""", pong.GetProperty("data").GetRawText());
        await c.SendRawAsync("""{"type":"ping"}""");
        var bare = await c.NextAsync(f => f.Type() == "pong");
        Assert.False(bare.TryGetProperty("id", out _));
    }

    [Fact]
    public async Task Subscribe_reply_has_offset_zero_and_an_epoch_before_any_publication()
    {
        await using var c = await _server.ConnectAsync("1");
        var reply = await c.SubscribeAsync(Channel());
        Assert.Equal(0, reply.GetProperty("offset").GetInt64());
        Assert.False(string.IsNullOrEmpty(reply.GetProperty("epoch").GetString()));
        Assert.False(reply.TryGetProperty("recovered", out _));
    }

    [Fact]
    public async Task Publish_reaches_subscribers_with_offset_event_and_sender()
    {
        var channel = Channel();
        await using var ada = await _server.ConnectAsync("42", "Ada");
        await using var bob = await _server.ConnectAsync("43", "Bob");
        await bob.SubscribeAsync(channel);

        var reply = await ada.OkAsync("publish", new { channel, data = new { text = "hi" } });
        Assert.Equal(1, reply.GetProperty("offset").GetInt64());
        var message = await bob.NextAsync(f => f.Type() == "message");
        Assert.Equal(channel, message.Channel());
        Assert.Equal(1, message.Offset());
        Assert.Equal("hi", message.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal("42", message.GetProperty("from").GetProperty("user").GetString());
        Assert.Equal("Ada", message.GetProperty("from").GetProperty("name").GetString());

        var second = await ada.OkAsync("publish", new { channel, @event = "liked", data = new { post = 9 } });
        Assert.Equal(2, second.GetProperty("offset").GetInt64());
        var liked = await bob.NextAsync(f => f.Type() == "liked");
        Assert.Equal(2, liked.Offset());
    }

    [Fact]
    public async Task A_subscribed_publisher_gets_its_reply_before_its_own_copy_of_the_message()
    {
        var channel = Channel();
        await using var ada = await _server.ConnectAsync("order", "Ada");
        await ada.SubscribeAsync(channel);
        // Many times over, so that a drain racing the reply would show.
        for (var i = 1; i <= 50; i++)
        {
            await ada.SendAsync(new { type = "publish", id = i, data = new { channel, data = new { i } } });
            var first = await ada.NextAsync();
            var second = await ada.NextAsync();
            Assert.Equal("reply", first.Type());
            Assert.Equal(i, first.GetProperty("id").GetInt32());
            Assert.Equal(i, first.GetProperty("data").GetProperty("offset").GetInt64());
            Assert.Equal("message", second.Type());
            Assert.Equal(i, second.Offset());
            Assert.Equal(i, second.GetProperty("data").GetProperty("i").GetInt32());
        }
    }

    [Fact]
    public async Task Pipelined_publishes_by_a_subscriber_all_arrive_each_reply_before_its_message()
    {
        var channel = Channel();
        await using var ada = await _server.ConnectAsync("pipeline", "Ada");
        await ada.SubscribeAsync(channel);
        const int n = 60;
        // Sent back to back without waiting: earlier replies and messages must not wait for later requests.
        for (var i = 1; i <= n; i++)
        {
            await ada.SendAsync(new { type = "publish", id = i, data = new { channel, data = i } });
        }
        var seenReply = new HashSet<int>();
        for (var k = 0; k < 2 * n; k++)
        {
            var frame = await ada.NextAsync();
            if (frame.Type() == "reply")
            {
                seenReply.Add(frame.GetProperty("id").GetInt32());
            }
            else
            {
                Assert.Equal("message", frame.Type());
                var offset = (int)frame.Offset();
                Assert.True(seenReply.Contains(offset), $"message {offset} came before its reply");
            }
        }
        Assert.Equal(n, seenReply.Count);
    }

    [Fact]
    public async Task A_refused_publish_by_a_subscriber_gets_its_error_and_nothing_else()
    {
        var channel = Channel();
        await using var ada = await _server.ConnectAsync("order-err", "Ada");
        await ada.SubscribeAsync(channel);
        await ada.SendAsync(new { type = "publish", id = "x", data = new { channel } });
        var answer = await ada.NextAsync();
        Assert.Equal("error", answer.Type());
        Assert.Equal("bad_request", answer.ErrorCode());
        Assert.Empty(await ada.PendingAfterSyncAsync(f => f.Type() == "message"));
        // And the connection's sends were not left held: the next publish goes out, reply first.
        await ada.SendAsync(new { type = "publish", id = "y", data = new { channel, data = 1 } });
        Assert.Equal("reply", (await ada.NextAsync()).Type());
        Assert.Equal(1, (await ada.NextAsync()).Offset());
    }

    [Fact]
    public async Task Publish_shaped_like_its_message_takes_data_as_the_payload()
    {
        var channel = Channel();
        await using var ada = await _server.ConnectAsync("shape", "Ada");
        await using var bob = await _server.ConnectAsync("shape-b", "Bob");
        await bob.SubscribeAsync(channel);

        await ada.SendAsync(new { type = "publish", id = 1, channel, data = new { text = "hi" } });
        Assert.Equal(1, (await ada.NextAsync(f => f.Type() == "reply")).GetProperty("data").GetProperty("offset").GetInt64());
        Assert.Equal("""{"text":"hi"}""", (await bob.NextAsync(f => f.Type() == "message")).GetProperty("data").GetRawText());

        await ada.SendRawAsync($$"""{"type":"publish","id":2,"channel":"{{channel}}","data":"plain text"}""");
        Assert.Equal("reply", (await ada.NextAsync(f => f.TryGetProperty("id", out var id) && id.GetInt32() == 2)).Type());
        Assert.Equal("plain text", (await bob.NextAsync(f => f.Type() == "message")).GetProperty("data").GetString());

        // With 'data' inside, data is read as the arguments (event and payload), the documented shape.
        await ada.SendAsync(new { type = "publish", id = 3, channel, data = new { @event = "liked", data = new { post = 9 } } });
        var liked = await bob.NextAsync(f => f.Type() == "liked");
        Assert.Equal(3, liked.Offset());
        Assert.Equal("""{"post":9}""", liked.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task A_message_shaped_publish_takes_its_top_level_event_as_the_type()
    {
        var channel = Channel();
        await using var ada = await _server.ConnectAsync("shape-event", "Ada");
        await using var bob = await _server.ConnectAsync("shape-event-b", "Bob");
        await bob.SubscribeAsync(channel);

        // The frame looks like the message it makes: channel, event and data at the top level.
        await ada.SendRawAsync($$$"""{"type":"publish","id":1,"channel":"{{{channel}}}","event":"cheer","data":{"text":"go"}}""");
        Assert.Equal("reply", (await ada.NextAsync(f => f.TryGetProperty("id", out var id) && id.GetInt32() == 1)).Type());
        var cheer = await bob.NextAsync(f => f.Type() is "cheer" or "message");
        Assert.Equal("cheer", cheer.Type());
        Assert.Equal("""{"text":"go"}""", cheer.GetProperty("data").GetRawText());

        // Arguments inside data with no event of their own take the top-level one; one inside comes first.
        await ada.SendRawAsync($$$"""{"type":"publish","id":2,"channel":"{{{channel}}}","event":"wave","data":{"data":1}}""");
        Assert.Equal(2, (await bob.NextAsync(f => f.Type() == "wave")).Offset());
        await ada.SendRawAsync($$$"""{"type":"publish","id":3,"channel":"{{{channel}}}","event":"wave","data":{"event":"nod","data":2}}""");
        Assert.Equal(3, (await bob.NextAsync(f => f.Type() == "nod")).Offset());

        // A top-level event that is not a string, or is empty, is refused and nothing is published.
        await ada.SendRawAsync($$$"""{"type":"publish","id":4,"channel":"{{{channel}}}","event":7,"data":{"text":"x"}}""");
        Assert.Equal("bad_request", (await ada.NextAsync(f => f.TryGetProperty("id", out var id) && id.GetInt32() == 4)).ErrorCode());
        await ada.SendRawAsync($$$"""{"type":"publish","id":5,"channel":"{{{channel}}}","event":"","data":{"text":"x"}}""");
        Assert.Equal("bad_request", (await ada.NextAsync(f => f.TryGetProperty("id", out var id) && id.GetInt32() == 5)).ErrorCode());
        Assert.Equal(3, (await ada.OkAsync("history", new { channel, limit = 10 })).GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Event_names_may_use_upper_case_letters_and_colons()
    {
        var channel = Channel();
        await using var ada = await _server.ConnectAsync("events", "Ada");
        await using var bob = await _server.ConnectAsync("events-b", "Bob");
        await bob.SubscribeAsync(channel);
        await ada.OkAsync("publish", new { channel, @event = "newMessage", data = 1 });
        await ada.OkAsync("publish", new { channel, @event = "chat:Typing_2", data = 2 });
        Assert.Equal(1, (await bob.NextAsync(f => f.Type() == "newMessage")).Offset());
        Assert.Equal(2, (await bob.NextAsync(f => f.Type() == "chat:Typing_2")).Offset());

        // 1-64 characters when given: an empty name is refused, not taken for "message"; nothing is published.
        Assert.Equal("bad_request", (await ada.RequestAsync("publish", new { channel, @event = "", data = 3 })).ErrorCode());
        Assert.Equal("bad_request", (await ada.RequestAsync("publish", new { channel, @event = new string('e', 65), data = 3 })).ErrorCode());
        Assert.Equal(2, (await ada.OkAsync("history", new { channel, limit = 10 })).GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Fan_out_to_many_subscribers_keeps_offsets_in_order_for_each()
    {
        var channel = Channel();
        const int subscribers = 25;
        const int messages = 60;
        var clients = new List<WsClient>();
        try
        {
            for (var i = 0; i < subscribers; i++)
            {
                var c = await _server.ConnectAsync($"fan{i}");
                await c.SubscribeAsync(channel);
                clients.Add(c);
            }
            await using var publisher = await _server.ConnectAsync("pub");
            for (var i = 0; i < messages; i++)
            {
                await publisher.SendAsync(new { type = "publish", data = new { channel, data = new { i } } });
            }
            foreach (var c in clients)
            {
                var received = await c.PublicationsAsync(channel, messages);
                Assert.Equal(Enumerable.Range(1, messages).Select(i => (long)i), received.Select(f => f.Offset()));
                Assert.Equal(Enumerable.Range(0, messages), received.Select(f => f.GetProperty("data").GetProperty("i").GetInt32()));
            }
        }
        finally
        {
            foreach (var c in clients)
            {
                await c.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Concurrent_publishers_produce_one_gapless_sequence()
    {
        var channel = Channel();
        await using var listener = await _server.ConnectAsync("listener");
        await listener.SubscribeAsync(channel);
        var publishers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => _server.ConnectAsync($"p{i}")));
        await Task.WhenAll(publishers.Select(async p =>
        {
            for (var i = 0; i < 25; i++)
            {
                await p.OkAsync("publish", new { channel, data = new { i } });
            }
        }));
        var received = await listener.PublicationsAsync(channel, 100);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), received.Select(f => f.Offset()));
        foreach (var p in publishers)
        {
            await p.DisposeAsync();
        }
    }

    [Fact]
    public async Task Publisher_that_is_not_subscribed_gets_only_its_reply()
    {
        var channel = Channel();
        await using var c = await _server.ConnectAsync("1");
        await c.OkAsync("publish", new { channel, data = "x" });
        Assert.Empty(await c.PendingAfterSyncAsync(f => f.Type() == "message"));
    }

    [Fact]
    public async Task Unsubscribe_stops_delivery()
    {
        var channel = Channel();
        await using var c = await _server.ConnectAsync("1");
        await c.SubscribeAsync(channel);
        await c.OkAsync("unsubscribe", new { channel });
        var response = await _server.PublishAsync(JsonSerializer.Serialize(new { channel, data = new { x = 1 } }));
        response.EnsureSuccessStatusCode();
        Assert.Empty(await c.PendingAfterSyncAsync(f => f.Type() == "message"));
        // Unsubscribing again is harmless.
        await c.OkAsync("unsubscribe", new { channel });
    }

    [Fact]
    public async Task Subscribing_twice_is_a_conflict()
    {
        var channel = Channel();
        await using var c = await _server.ConnectAsync("1");
        await c.SubscribeAsync(channel);
        var again = await c.RequestAsync("subscribe", new { channel });
        Assert.Equal("conflict", again.ErrorCode());
    }

    [Fact]
    public async Task History_returns_publications_oldest_first_with_limit_and_since()
    {
        var channel = Channel();
        await using var c = await _server.ConnectAsync("1");
        for (var i = 1; i <= 5; i++)
        {
            await c.OkAsync("publish", new { channel, data = new { i } });
        }
        var all = await c.OkAsync("history", new { channel });
        Assert.Equal(5, all.GetProperty("offset").GetInt64());
        var epoch = all.GetProperty("epoch").GetString();
        Assert.Equal([1L, 2, 3, 4, 5], all.GetProperty("publications").EnumerateArray().Select(p => p.Offset()));
        Assert.Equal("message", all.GetProperty("publications")[0].Type());

        var latest = await c.OkAsync("history", new { channel, limit = 2 });
        Assert.Equal([4L, 5], latest.GetProperty("publications").EnumerateArray().Select(p => p.Offset()));

        var since = await c.OkAsync("history", new { channel, since = new { offset = 2, epoch }, limit = 2 });
        Assert.Equal([3L, 4], since.GetProperty("publications").EnumerateArray().Select(p => p.Offset()));

        var bareOffset = await c.OkAsync("history", new { channel, since = 3 });
        Assert.Equal([4L, 5], bareOffset.GetProperty("publications").EnumerateArray().Select(p => p.Offset()));

        var otherEpoch = await c.OkAsync("history", new { channel, since = new { offset = 3, epoch = "other" } });
        Assert.Empty(otherEpoch.GetProperty("publications").EnumerateArray());

        var bad = await c.RequestAsync("history", new { channel, limit = 0 });
        Assert.Equal("bad_request", bad.ErrorCode());
        Assert.Equal("bad_request", (await c.RequestAsync("history", new { channel, since = "yesterday" })).ErrorCode());
        Assert.Equal("bad_request", (await c.RequestAsync("history", new { channel, since = -1 })).ErrorCode());
    }

    [Fact]
    public async Task Top_level_channel_is_accepted_beside_data()
    {
        var channel = Channel();
        await using var c = await _server.ConnectAsync("1");
        await c.SendRawAsync($$"""{"type":"subscribe","id":1,"channel":"{{channel}}"}""");
        var reply = await c.NextAsync(f => f.Type() is "reply" or "error");
        Assert.Equal("reply", reply.Type());
    }
}
