using System.Net;
using System.Text;
using System.Text.Json;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>
/// The HTTP fallback transport (<c>GET /ws/sse</c> + <c>POST /ws/sse/{session}</c>) on one node: the same frames, auth,
/// permissions, recovery and limits as <c>/ws</c>, and a clear refusal for every hostile POST, which loses nothing.
/// </summary>
public sealed class FallbackTransportTests : IClassFixture<SharedServer>
{
    private readonly TestServer _server;

    public FallbackTransportTests(SharedServer shared) => _server = shared.Server;

    private static string Channel() => "public:" + Guid.NewGuid().ToString("N");

    private Task<SseClient> OpenAsync(string user, bool tokenInHeader = false) =>
        SseClient.ConnectAsync(_server.BaseAddress, TestTokens.For(user, $"User {user}"), tokenInHeader);

    private static string CodeOf(string body) => JsonDocument.Parse(body).RootElement.GetProperty("code").GetString()!;

    [Fact]
    public async Task A_stream_opens_with_its_session_then_the_welcome_as_server_sent_events()
    {
        await using var client = await OpenAsync("sse-open");
        Assert.StartsWith("text/event-stream", client.ContentType);
        Assert.Matches("^[0-9a-f]{16}\\.[A-Za-z0-9_-]{22}$", client.Session);
        Assert.Equal("sse-open", client.Welcome.GetProperty("data").GetProperty("user").GetString());
        Assert.Equal("welcome", client.Frames[0].Type()); // the first frame, as on /ws
    }

    [Fact]
    public async Task Subscribe_and_publish_travel_both_ways_between_the_fallback_and_a_websocket()
    {
        var channel = Channel();
        await using var sse = await OpenAsync("sse-pub", tokenInHeader: true);
        await using var ws = await _server.ConnectAsync("ws-pub");
        Assert.Equal(0, (await sse.SubscribeAsync(channel)).GetProperty("offset").GetInt64());
        await ws.SubscribeAsync(channel);

        var reply = await ws.OkAsync("publish", new { channel, data = new { text = "from ws" } });
        var got = (await sse.PublicationsAsync(channel, 1))[0];
        Assert.Equal(reply.GetProperty("offset").GetInt64(), got.Offset());
        Assert.Equal("from ws", got.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal("ws-pub", got.GetProperty("from").GetProperty("user").GetString());

        // A JSON string holding a line break travels as whitespace-free JSON on one data line or several: either way intact.
        await sse.OkAsync("publish", new { channel, data = new { text = "from\nsse" } });
        var back = await ws.NextAsync(f => f.Channel() == channel && f.TryGetProperty("from", out var from)
            && from.GetProperty("user").GetString() == "sse-pub");
        Assert.Equal("from\nsse", back.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal("sse-pub", back.GetProperty("from").GetProperty("user").GetString());
    }

    [Fact]
    public async Task A_batch_is_handled_in_order_and_its_replies_come_on_the_stream()
    {
        var channel = Channel();
        await using var sse = await OpenAsync("sse-batch");
        var (status, body) = await sse.PostRawAsync(JsonSerializer.Serialize(new object[]
        {
            new { type = "subscribe", id = 1, data = new { channel } },
            new { type = "publish", id = 2, data = new { channel, data = new { n = 1 } } },
            new { type = "publish", id = 3, data = new { channel, data = new { n = 2 } } },
        }));
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(3, JsonDocument.Parse(body).RootElement.GetProperty("accepted").GetInt32());
        var answers = new List<JsonElement>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await sse.NextAsync(f => f.Type() is "reply" or "message"));
        }
        // Each publish's reply goes ahead of its own copy of the message (subscribed publisher), as on /ws.
        Assert.Equal(["reply:1", "reply:2", "message:1", "reply:3", "message:2"],
            answers.Select(f => f.Type() == "reply" ? $"reply:{f.GetProperty("id").GetInt32()}" : $"message:{f.Offset()}"));
    }

    [Fact]
    public async Task Permissions_are_those_of_the_websocket()
    {
        await using var sse = await OpenAsync("sse-perm");
        var refused = await sse.RequestAsync("subscribe", new { channel = "user:someone-else" });
        Assert.Equal("error", refused.Type());
        Assert.Equal("forbidden", refused.GetProperty("data").GetProperty("code").GetString());
        var own = await sse.RequestAsync("subscribe", new { channel = "user:sse-perm" });
        Assert.Equal("reply", own.Type());
    }

    [Fact]
    public async Task A_cut_stream_recovers_with_since_on_a_new_stream_and_its_old_session_is_gone()
    {
        var channel = Channel();
        var first = await OpenAsync("sse-recover");
        var epoch = (await first.SubscribeAsync(channel)).GetProperty("epoch").GetString();
        for (var i = 1; i <= 2; i++)
        {
            (await _server.PublishAsync(JsonSerializer.Serialize(new { channel, data = new { i } }))).EnsureSuccessStatusCode();
        }
        var seen = await first.PublicationsAsync(channel, 2);
        var oldSession = first.Session;
        first.Abort();
        await first.DisposeAsync();
        for (var i = 3; i <= 5; i++)
        {
            (await _server.PublishAsync(JsonSerializer.Serialize(new { channel, data = new { i } }))).EnsureSuccessStatusCode();
        }

        await using var second = await OpenAsync("sse-recover");
        var reply = await second.SubscribeAsync(channel, new { offset = seen[^1].Offset(), epoch });
        Assert.True(reply.GetProperty("recovered").GetBoolean());
        var recovered = await second.PublicationsAsync(channel, 3);
        Assert.Equal([3L, 4, 5], recovered.Select(f => f.Offset()));

        // The server noticed the cut: the old session no longer takes frames.
        await WaitUntilAsync(async () => (await second.PostRawAsync("""{"type":"ping"}""", session: oldSession)).Status == HttpStatusCode.NotFound);
        var (status, body) = await second.PostRawAsync("""{"type":"ping"}""", session: oldSession);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("not_found", CodeOf(body));
    }

    [Fact]
    public async Task Unknown_sessions_are_404_with_a_json_error()
    {
        await using var sse = await OpenAsync("sse-unknown");
        foreach (var session in new[] { "nope", sse.Session + "x", "0000000000000000." + sse.Session.Split('.')[1], "a.b" })
        {
            var (status, body) = await sse.PostRawAsync("""{"type":"ping","id":1}""", session: session);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("not_found", CodeOf(body));
        }
        Assert.Equal("pong", (await sse.RequestAsync("ping")).Type()); // its own session is untouched
    }

    [Fact]
    public async Task Stream_and_posts_need_a_valid_token_and_posts_the_sessions_own_user()
    {
        Assert.Equal(401, (await SseClient.OpenStatusAsync(_server.BaseAddress, null)).Status);
        var (status, body) = await SseClient.OpenStatusAsync(_server.BaseAddress, TestTokens.For("x", key: "another-key-of-enough-length-000000"));
        Assert.Equal(401, status);
        Assert.Equal("unauthorized", CodeOf(body));
        Assert.Equal(401, (await SseClient.OpenStatusAsync(_server.BaseAddress, TestTokens.For("x", lifetime: TimeSpan.FromMinutes(-5)))).Status);
        Assert.Equal(403, (await SseClient.OpenStatusAsync(_server.BaseAddress, TestTokens.For("x"), origin: "https://evil.example")).Status);

        await using var sse = await OpenAsync("sse-owner");
        var noToken = await sse.PostRawAsync("""{"type":"ping"}""", token: "not-a-jwt");
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.Status);
        var otherUser = await sse.PostRawAsync("""{"type":"ping","id":1}""", token: TestTokens.For("intruder"));
        Assert.Equal(HttpStatusCode.Forbidden, otherUser.Status);
        Assert.Equal("forbidden", CodeOf(otherUser.Body));
        Assert.Equal("pong", (await sse.RequestAsync("ping")).Type());
        Assert.DoesNotContain(sse.Frames, f => f.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.GetInt32() == 1);
    }

    [Fact]
    public async Task Hostile_bodies_are_refused_whole_and_the_session_goes_on()
    {
        await using var sse = await OpenAsync("sse-hostile");
        var cases = new (string Body, HttpStatusCode Status, string Code)[]
        {
            ("{\"type\":\"ping\",\"id\":1", HttpStatusCode.BadRequest, "bad_request"), // truncated
            ("", HttpStatusCode.BadRequest, "bad_request"),
            ("  \r\n", HttpStatusCode.BadRequest, "bad_request"),
            ("nope", HttpStatusCode.BadRequest, "bad_request"),
            ("[]", HttpStatusCode.BadRequest, "bad_request"),
            ("{\"type\":\"ping\",\"id\":2} {\"type\":\"ping\",\"id\":3}", HttpStatusCode.BadRequest, "bad_request"), // two values
            (new string('[', 100) + new string(']', 100), HttpStatusCode.BadRequest, "bad_request"), // nested too deep
            ("[" + string.Join(",", Enumerable.Repeat("{\"type\":\"ping\",\"id\":4}", 101)) + "]", HttpStatusCode.RequestEntityTooLarge, "too_large"),
            ($$"""{"type":"ping","id":5,"data":"{{new string('x', 70_000)}}"}""", HttpStatusCode.RequestEntityTooLarge, "too_large"),
            ("[{\"type\":\"ping\",\"id\":6},{\"type\":\"ping\",\"data\":\"" + new string('x', 70_000) + "\"}]", HttpStatusCode.RequestEntityTooLarge, "too_large"),
        };
        foreach (var (body, expected, code) in cases)
        {
            var (status, answer) = await sse.PostRawAsync(body);
            Assert.True(expected == status, $"{body[..Math.Min(body.Length, 40)]}: {status} {answer}");
            Assert.Equal(code, CodeOf(answer));
            // Plain words as every REST error (issue 21): no escaped quotes, no parser internals.
            Assert.DoesNotContain("\\u0027", answer, StringComparison.Ordinal);
            Assert.DoesNotContain("isFinalBlock", answer, StringComparison.Ordinal);
            Assert.DoesNotContain("literal", answer, StringComparison.Ordinal);
        }
        Assert.Contains("the body is empty", (await sse.PostRawAsync(" ")).Body, StringComparison.Ordinal);
        Assert.Contains("the body is not valid JSON (line 1, byte ", (await sse.PostRawAsync("nope")).Body, StringComparison.Ordinal);
        var invalidUtf8 = await sse.PostBytesAsync([.. "{\"type\":\"ping\",\"id\":7,\"data\":\""u8.ToArray(), 0xC3, 0x28, .. "\"}"u8.ToArray()]);
        Assert.Equal(HttpStatusCode.BadRequest, invalidUtf8.Status);
        var huge = await sse.PostRawAsync("[" + new string(' ', 1024 * 1024) + "]");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.Status);

        // A well-formed body whose frame is not a request is the engine's: bad_request on the stream, as on /ws.
        Assert.Equal(HttpStatusCode.Accepted, (await sse.PostRawAsync("[42]")).Status);
        var error = await sse.NextAsync(f => f.Type() == "error");
        Assert.Equal("bad_request", error.GetProperty("data").GetProperty("code").GetString());

        // Nothing of a refused body was taken, and the session still answers.
        Assert.Equal("pong", (await sse.RequestAsync("ping")).Type());
        Assert.DoesNotContain(sse.Frames, f => f.Type() == "pong" && f.GetProperty("id").GetInt32() < 1000);
        Assert.False(sse.IsClosed);
    }

    [Fact]
    public async Task Wrong_methods_and_paths_are_refused()
    {
        await using var sse = await OpenAsync("sse-methods");
        using var getSession = await _server.Http.GetAsync(new Uri($"/ws/sse/{sse.Session}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, getSession.StatusCode);
        using var post = new StringContent("{}", Encoding.UTF8, "application/json");
        using var postStream = await _server.Http.PostAsync(new Uri("/ws/sse", UriKind.Relative), post);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, postStream.StatusCode);
        using var deeper = await _server.Http.GetAsync(new Uri($"/ws/sse/{sse.Session}/x", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, deeper.StatusCode);
    }

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_is_answered_and_a_foreign_one_refused()
    {
        var own = _server.BaseAddress.GetLeftPart(UriPartial.Authority);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/ws/sse/some-session");
        preflight.Headers.Add("Origin", own);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");
        using var answer = await _server.Http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal(own, answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Authorization", answer.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.Ordinal);

        using var foreign = new HttpRequestMessage(HttpMethod.Options, "/ws/sse/some-session");
        foreign.Headers.Add("Origin", "https://evil.example");
        using var refused = await _server.Http.SendAsync(foreign);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + WsClient.DefaultWait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(50);
        }
    }
}

/// <summary>The protocol's limits on the fallback: connection cap, flood close, queue bound, keep-alive comments.</summary>
public sealed class FallbackLimitsTests
{
    [Fact]
    public async Task The_connection_cap_counts_fallback_streams_and_websockets_together()
    {
        using var server = new TestServer(new() { ["Hubbub:MaxConnectionsPerUser"] = "2" });
        var token = TestTokens.For("capped");
        await using var ws = await server.ConnectAsync("capped");
        await using var sse = await SseClient.ConnectAsync(server.BaseAddress, token);
        await using var third = await SseClient.ConnectAsync(server.BaseAddress, token, expectWelcome: false);
        Assert.Equal(4029, await third.WaitClosedAsync());
        Assert.Contains(third.Frames, f => f.Type() == "error" && f.GetProperty("data").GetProperty("code").GetString() == "rate_limited");
        Assert.Equal("pong", (await sse.RequestAsync("ping")).Type());
    }

    [Fact]
    public async Task A_flood_gets_rate_limited_then_the_stream_closes_with_1008()
    {
        using var server = new TestServer(new()
        {
            ["Hubbub:MessagesPerSecond"] = "1",
            ["Hubbub:Burst"] = "2",
            ["Hubbub:FloodCloseAfter"] = "5",
        });
        await using var calm = await SseClient.ConnectAsync(server.BaseAddress, TestTokens.For("calm"));
        await using var flooder = await SseClient.ConnectAsync(server.BaseAddress, TestTokens.For("flooder"));
        var (status, _) = await flooder.PostRawAsync("[" + string.Join(",", Enumerable.Range(1, 20).Select(i => $$"""{"type":"ping","id":{{i}}}""")) + "]");
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(1008, await flooder.WaitClosedAsync());
        Assert.Contains(flooder.Frames, f => f.Type() == "error" && f.GetProperty("data").GetProperty("code").GetString() == "rate_limited");
        Assert.Equal("pong", (await calm.RequestAsync("ping")).Type());
        var (after, body) = await flooder.PostRawAsync("""{"type":"ping"}""");
        Assert.Equal(HttpStatusCode.NotFound, after);
        Assert.Contains("not_found", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_idle_stream_gets_keep_alive_comments()
    {
        using var server = new TestServer(new() { ["Hubbub:Fallback:CommentIntervalMs"] = "200" });
        await using var sse = await SseClient.ConnectAsync(server.BaseAddress, TestTokens.For("idle"));
        await sse.WaitUntilAsync(() => sse.Comments >= 2, "two comments", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_fallback_can_be_switched_off()
    {
        using var server = new TestServer(new() { ["Hubbub:Fallback:Enabled"] = "false" });
        Assert.Equal(404, (await SseClient.OpenStatusAsync(server.BaseAddress, TestTokens.For("off"))).Status);
    }

    [Fact]
    public async Task The_server_closing_ends_the_stream_with_a_close_event()
    {
        var server = new TestServer();
        await using var sse = await SseClient.ConnectAsync(server.BaseAddress, TestTokens.For("shutdown"));
        var closing = Task.Run(server.Dispose);
        Assert.Equal(1001, await sse.WaitClosedAsync());
        await closing;
    }
}
