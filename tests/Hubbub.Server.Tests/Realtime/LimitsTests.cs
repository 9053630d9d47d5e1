using System.Net.WebSockets;
using System.Text.Json;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>Frame size, rate limit, slow consumers, connection and subscription caps: each hits only its offender.</summary>
public sealed class LimitsTests
{
    private static string Channel() => "public:" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Oversized_frame_closes_with_1009_and_others_are_unaffected()
    {
        using var server = new TestServer(new() { ["Hubbub:MaxFrameBytes"] = "1024" });
        await using var offender = await server.ConnectAsync("big");
        await using var bystander = await server.ConnectAsync("small");
        var payload = new string('x', 2048);
        await offender.SendRawAsync($$"""{"type":"ping","data":"{{payload}}"}""");
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await offender.WaitClosedAsync());
        Assert.Equal("pong", (await bystander.RequestAsync("ping")).Type());
    }

    [Fact]
    public async Task Default_limit_is_64_KiB()
    {
        using var server = new TestServer();
        await using var ok = await server.ConnectAsync("fits");
        await ok.SendRawAsync($$"""{"type":"ping","id":1,"data":"{{new string('x', 60_000)}}"}""");
        Assert.Equal("pong", (await ok.NextAsync(f => f.Type() == "pong")).Type());
        await using var big = await server.ConnectAsync("too-big");
        await big.SendRawAsync($$"""{"type":"ping","data":"{{new string('x', 70_000)}}"}""");
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await big.WaitClosedAsync());
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task A_client_still_sending_when_the_server_closes_gets_the_close_frame_not_a_reset(string connectionLevelAccept)
    {
        using var server = new TestServer(new()
        {
            ["Hubbub:MaxFrameBytes"] = "1024",
            ["Hubbub:ConnectionLevelAccept"] = connectionLevelAccept,
        });
        await using var raw = await RawConnection.OpenAsync(server);
        await raw.SendAsync(RawConnection.Ascii(RawConnection.UpgradeHead(server, "/ws?access_token=" + TestTokens.For("streamer"))));
        Assert.StartsWith("HTTP/1.1 101", await raw.ReadHeadAsync());
        Assert.Contains("\"type\":\"welcome\"", await raw.ReadTextFrameAsync());

        // One masked text frame announcing 1 MiB, its payload written in 64 KiB pieces without reading anything:
        // the server decides to close after 1 KiB and must keep reading (and dropping) the rest, or closing the
        // socket with unread input resets the connection and the close frame is lost.
        const int total = 1024 * 1024;
        byte[] header = [0x81, 0x80 | 127, 0, 0, 0, 0, 0, total >> 16, 0, 0, 1, 2, 3, 4];
        await raw.SendAsync(header);
        var piece = new byte[64 * 1024];
        for (var written = 0; written < total; written += piece.Length)
        {
            await raw.SendAsync(piece);
        }

        var close = await raw.ReadExactlyAsync(4);
        Assert.Equal(0x88, close[0]);
        Assert.True((close[1] & 0x7F) >= 2);
        Assert.Equal(1009, (close[2] << 8) | close[3]);
    }

    [Fact]
    public async Task Flood_is_rate_limited_then_closed_with_1008_while_another_client_is_served()
    {
        using var server = new TestServer(new()
        {
            ["Hubbub:MessagesPerSecond"] = "5",
            ["Hubbub:Burst"] = "10",
            ["Hubbub:FloodCloseAfter"] = "20",
        });
        await using var flooder = await server.ConnectAsync("flood");
        await using var neighbour = await server.ConnectAsync("calm");
        for (var i = 0; i < 200 && !flooder.IsClosed; i++)
        {
            try
            {
                await flooder.SendRawAsync($$"""{"type":"ping","id":{{i}}}""");
            }
            catch (WebSocketException)
            {
                break; // closed under our feet: that is the point
            }
        }
        var limited = await flooder.NextAsync(f => f.Type() == "error");
        Assert.Equal("rate_limited", limited.ErrorCode());
        Assert.True(limited.TryGetProperty("id", out _));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await flooder.WaitClosedAsync());
        Assert.Equal("pong", (await neighbour.RequestAsync("ping")).Type());
    }

    [Fact]
    public async Task A_flood_that_gets_a_token_back_now_and_then_is_still_closed_with_1008_and_every_frame_answered()
    {
        // On a fake clock, so the bucket refills exactly when the test says.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var server = new TestServer(new()
        {
            ["Hubbub:MessagesPerSecond"] = "50",
            ["Hubbub:Burst"] = "1",
            ["Hubbub:FloodCloseAfter"] = "20",
        }, clock);
        await using var flooder = await server.ConnectAsync("flood-gaps");
        // Five groups of 5 pings, each group answered before the clock moves 25 ms (one token): every group has a ping
        // let through between its refusals, so no 20 refusals ever come in a row. It is a flood all the same.
        var answers = new List<JsonElement>();
        var id = 0;
        for (var group = 0; group < 5; group++)
        {
            for (var i = 0; i < 5; i++)
            {
                await flooder.SendRawAsync($$"""{"type":"ping","id":{{id++}}}""");
            }
            for (var i = 0; i < 5; i++)
            {
                answers.Add(await flooder.NextAsync(f => f.Type() is "pong" or "error"));
            }
            clock.Advance(TimeSpan.FromMilliseconds(25));
        }
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await flooder.WaitClosedAsync());
        Assert.Equal(25, answers.Count); // five groups: the fifth's last refusal is the 20th
        Assert.Equal(20, answers.Count(f => f.Type() == "error" && f.ErrorCode() == "rate_limited"));
        Assert.Equal(5, answers.Count(f => f.Type() == "pong"));
        // Exactly one answer per id, in order, the last refused one included.
        Assert.Equal(Enumerable.Range(0, 25), answers.Select(f => f.GetProperty("id").GetInt32()));
    }

    [Fact]
    public async Task Slow_consumer_is_cut_off_while_others_keep_receiving()
    {
        using var server = new TestServer(new() { ["Hubbub:SendQueueCapacity"] = "8", ["Hubbub:SlowConsumerCloseGraceMs"] = "30000" });
        var channel = Channel();
        var slow = await RawSocket.ConnectAsync(server, "slow", channel);
        await using var fast = await server.ConnectAsync("fast");
        await fast.SubscribeAsync(channel);

        // Large publications fill the slow socket's TCP buffers, then its queue; the publisher never waits.
        var big = new string('x', 32 * 1024);
        var published = 0;
        var slowClosed = false;
        for (var i = 0; i < 2000 && !slowClosed; i++)
        {
            var response = await server.PublishAsync(JsonSerializer.Serialize(new { channel, data = new { i, big } }));
            Assert.True(response.IsSuccessStatusCode);
            published++;
            var received = await fast.NextAsync(f => f.Channel() == channel && f.TryGetProperty("offset", out _));
            Assert.Equal(published, received.Offset());
            // This server's log, not the process-wide metric: other test classes cut slow consumers meanwhile.
            slowClosed = server.Logs.Any(line => line.Contains("of user slow is a slow consumer", StringComparison.Ordinal));
        }
        Assert.True(slowClosed, "the slow consumer was never cut off");

        // The slow client now reads what the kernel buffered, then the close frame with 4000.
        var status = await slow.DrainUntilClosedAsync();
        Assert.Equal(4000, status);

        // And the channel keeps flowing to the fast one.
        await server.PublishAsync(JsonSerializer.Serialize(new { channel, data = "after" }));
        Assert.Equal(published + 1, (await fast.NextAsync(f => f.Channel() == channel && f.TryGetProperty("offset", out _))).Offset());
    }

    [Fact]
    public async Task Connections_beyond_the_per_user_cap_are_closed_with_4029()
    {
        using var server = new TestServer(new() { ["Hubbub:MaxConnectionsPerUser"] = "2" });
        await using var one = await server.ConnectAsync("cap");
        await using var two = await server.ConnectAsync("cap");
        await using var three = await WsClient.ConnectAsync(server.WebSocketUri(TestTokens.For("cap")), expectWelcome: false);
        Assert.Equal("rate_limited", (await three.NextAsync(f => f.Type() == "error")).ErrorCode());
        Assert.Equal((WebSocketCloseStatus)4029, await three.WaitClosedAsync());
        await using var otherUser = await server.ConnectAsync("someone-else");
        Assert.Equal("pong", (await one.RequestAsync("ping")).Type());
    }

    [Fact]
    public async Task Subscriptions_beyond_the_per_connection_cap_are_refused()
    {
        using var server = new TestServer(new() { ["Hubbub:MaxSubscriptionsPerConnection"] = "3" });
        await using var c = await server.ConnectAsync("subs");
        for (var i = 0; i < 3; i++)
        {
            await c.SubscribeAsync(Channel());
        }
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = Channel() })).ErrorCode());
    }
}
