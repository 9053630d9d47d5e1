using System.Text.Json;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>
/// Subscriptions asked for in the connect (<c>/ws?access_token=…&amp;subscribe=user:42</c>): each channel subscribed by
/// the subscribe path, answered in the welcome (<c>subscriptions</c>, <c>subscription_errors</c>), on both doors of
/// <c>/ws</c> and on the event stream's.
/// </summary>
public sealed class ConnectSubscribeTests(TwoDoors doors) : IClassFixture<TwoDoors>
{
    private static string Channel() => "public:" + Guid.NewGuid().ToString("N");

    private static string User() => "cs" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The upgrade's URI with <paramref name="channels"/> as repeated <c>subscribe</c> parameters.</summary>
    private static Uri WithSubscribe(TestServer server, string user, params string[] channels) =>
        new(server.WebSocketUri(TestTokens.For(user, "User " + user))
            + string.Concat(channels.Select(c => "&subscribe=" + Uri.EscapeDataString(c))));

    private static JsonElement Subscriptions(JsonElement welcome) => welcome.GetProperty("data").GetProperty("subscriptions");

    [Fact]
    public async Task A_channel_subscribed_at_connect_gets_its_reply_in_the_welcome_and_then_publications_with_offsets()
    {
        foreach (var (door, server) in doors.Both)
        {
            var user = User();
            var channel = "user:" + user;
            Assert.Equal(System.Net.HttpStatusCode.OK,
                (await server.PublishAsync(JsonSerializer.Serialize(new { channel, data = new { n = 1 } }))).StatusCode);

            await using var client = await WsClient.ConnectAsync(WithSubscribe(server, user, channel));
            var reply = Subscriptions(client.Welcome).GetProperty(channel);
            Assert.True(1 == reply.GetProperty("offset").GetInt64(), door);
            Assert.False(string.IsNullOrEmpty(reply.GetProperty("epoch").GetString()), door);
            Assert.False(client.Welcome.GetProperty("data").TryGetProperty("subscription_errors", out _), door);

            await server.PublishAsync(JsonSerializer.Serialize(new { channel, type = "notice", data = new { n = 2 } }));
            var notice = await client.NextAsync(f => f.Type() == "notice");
            Assert.True(2 == notice.Offset(), door);
            Assert.Equal(channel, notice.Channel());
        }
    }

    [Fact]
    public async Task A_client_that_asks_for_nothing_sees_no_subscriptions_in_its_welcome()
    {
        await using var client = await doors.ConnectionLayer.ConnectAsync(User());
        Assert.False(client.Welcome.GetProperty("data").TryGetProperty("subscriptions", out _));
        Assert.False(client.Welcome.GetProperty("data").TryGetProperty("subscription_errors", out _));
    }

    [Fact]
    public async Task A_forbidden_or_malformed_channel_is_refused_in_the_welcome_and_the_connection_and_other_channels_live()
    {
        foreach (var (door, server) in doors.Both)
        {
            var user = User();
            var own = "user:" + user;
            var tooLong = "public:" + new string('a', 300);
            await using var client = await WsClient.ConnectAsync(WithSubscribe(server, user, "user:someone-else", own, "no-namespace", tooLong, "nope:x"));
            var data = client.Welcome.GetProperty("data");
            Assert.True(data.GetProperty("subscriptions").TryGetProperty(own, out _), door);
            Assert.Single(data.GetProperty("subscriptions").EnumerateObject());
            var errors = data.GetProperty("subscription_errors");
            Assert.Equal("forbidden", errors.GetProperty("user:someone-else").GetProperty("code").GetString());
            Assert.Equal("bad_request", errors.GetProperty("no-namespace").GetProperty("code").GetString());
            Assert.Contains("namespace:name", errors.GetProperty("no-namespace").GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal("bad_request", errors.GetProperty(tooLong).GetProperty("code").GetString());
            Assert.Equal("forbidden", errors.GetProperty("nope:x").GetProperty("code").GetString()); // an unknown namespace, as a frame is answered
            Assert.Equal(4, errors.EnumerateObject().Count());

            // Refused exactly as a subscribe frame is refused.
            var frame = await client.RequestAsync("subscribe", new { channel = "user:someone-else" });
            Assert.Equal(errors.GetProperty("user:someone-else").GetProperty("message").GetString(), frame.GetProperty("data").GetProperty("message").GetString());

            await client.SendRawAsync("""{"type":"ping","id":7}""");
            Assert.Equal(7, (await client.NextAsync(f => f.Type() == "pong")).GetProperty("id").GetInt32());
        }
    }

    [Fact]
    public async Task A_subscribe_frame_to_a_channel_subscribed_at_connect_is_answered_as_for_any_subscribed_channel()
    {
        var channel = Channel();
        await using var client = await WsClient.ConnectAsync(WithSubscribe(doors.ConnectionLayer, User(), channel));
        Assert.True(Subscriptions(client.Welcome).TryGetProperty(channel, out _));
        var again = await client.RequestAsync("subscribe", new { channel });
        Assert.Equal("conflict", again.ErrorCode());

        // Unsubscribed, it can be subscribed again with a frame, as any channel.
        await client.OkAsync("unsubscribe", new { channel });
        await client.SubscribeAsync(channel);
    }

    [Fact]
    public async Task Too_many_channels_are_refused_with_400_before_the_upgrade_on_every_door()
    {
        var channels = Enumerable.Range(0, 17).Select(i => $"public:many{i}").ToArray(); // the default allows 16
        foreach (var (door, server) in doors.Both)
        {
            Assert.True(400 == await WsClient.HandshakeStatusAsync(WithSubscribe(server, User(), channels)), door);
            // The same name 17 times counts 17 times: the bound is on the work asked for.
            Assert.True(400 == await WsClient.HandshakeStatusAsync(WithSubscribe(server, User(), [.. Enumerable.Repeat("public:same", 17)])), door);
            await using var sixteen = await WsClient.ConnectAsync(WithSubscribe(server, User(), channels[..16]));
            Assert.Equal(16, Subscriptions(sixteen.Welcome).EnumerateObject().Count());
        }
        var token = Uri.EscapeDataString(TestTokens.For(User()));
        var response = await doors.HttpLayer.Http.GetAsync($"/ws/sse?access_token={token}" + string.Concat(channels.Select(c => "&subscribe=" + c)));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("bad_request", body.GetProperty("code").GetString());
        Assert.Contains("at most 16", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repeated_name_is_subscribed_once_and_empty_values_are_skipped()
    {
        var channel = Channel();
        var uri = new Uri(WithSubscribe(doors.ConnectionLayer, User(), channel, channel) + "&subscribe=&SUBSCRIBE=" + Uri.EscapeDataString(channel));
        await using var client = await WsClient.ConnectAsync(uri);
        Assert.Single(Subscriptions(client.Welcome).EnumerateObject());
        Assert.False(client.Welcome.GetProperty("data").TryGetProperty("subscription_errors", out _));

        await using var other = await doors.ConnectionLayer.ConnectAsync(User());
        await other.OkAsync("publish", new { channel, data = new { once = true } });
        await client.NextAsync(f => f.Type() == "message");
        Assert.Empty(await client.PendingAfterSyncAsync(f => f.Type() == "message")); // delivered once, not per repetition
    }

    [Fact]
    public async Task Joining_at_connect_announces_presence_and_lists_the_member()
    {
        var channel = Channel();
        var user = User();
        await using var watcher = await doors.ConnectionLayer.ConnectAsync(User());
        await watcher.SubscribeAsync(channel);

        await using var client = await WsClient.ConnectAsync(WithSubscribe(doors.ConnectionLayer, user, channel));
        var join = await watcher.NextAsync(f => f.Type() == "presence_join");
        Assert.Equal(user, join.GetProperty("data").GetProperty("user").GetString());
        var members = await client.OkAsync("presence", new { channel });
        Assert.Contains(members.GetProperty("members").EnumerateArray(), m => m.GetProperty("user").GetString() == user);

        await client.CloseAsync();
        var leave = await watcher.NextAsync(f => f.Type() == "presence_leave");
        Assert.Equal(user, leave.GetProperty("data").GetProperty("user").GetString());
    }

    [Fact]
    public async Task Publications_made_while_clients_connect_follow_their_welcome_with_no_gap()
    {
        // A publisher keeps publishing while clients connect subscribed: each client's first frame is its welcome, and
        // its publications continue the welcome's offset by exactly 1, none lost between the subscribe and the welcome.
        var channel = Channel();
        await using var publisher = await doors.ConnectionLayer.ConnectAsync(User());
        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < 100_000 && !stop.IsCancellationRequested; i++)
            {
                await publisher.OkAsync("publish", new { channel, data = new { i } });
                // Under the connection's rate limit (100 frames/s, burst 200): unpaced, a quick machine's publisher was
                // refused rate_limited after a second or two, and the clients then waited in vain for their five.
                await Task.Delay(15);
            }
        });
        try
        {
            for (var c = 0; c < 10; c++)
            {
                await using var client = await WsClient.ConnectAsync(WithSubscribe(doors.ConnectionLayer, User(), channel));
                Assert.Equal("welcome", client.Frames[0].Type());
                var from = Subscriptions(client.Welcome).GetProperty(channel).GetProperty("offset").GetInt64();
                var next = await client.PublicationsAsync(channel, 5);
                Assert.Equal(Enumerable.Range(1, 5).Select(k => from + k), next.Select(p => p.Offset()));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await publishing;
        }
    }

    [Fact]
    public async Task The_event_stream_subscribes_at_connect_too()
    {
        var user = User();
        var channel = "user:" + user;
        await using var client = await SseClient.ConnectAsync(doors.HttpLayer.BaseAddress, TestTokens.For(user), query: "subscribe=" + channel);
        Assert.Equal(0, Subscriptions(client.Welcome).GetProperty(channel).GetProperty("offset").GetInt64());
        await doors.HttpLayer.PublishAsync(JsonSerializer.Serialize(new { channel, data = new { n = 1 } }));
        Assert.Equal(1, (await client.PublicationsAsync(channel, 1))[0].Offset());
    }
}
