using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hubbub.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>
/// App-defined access (docs/integration.md, "Authorizing from your backend"): namespaces declared in configuration,
/// decided by the token's <c>channels</c> claim or by the app's backend, a real Kestrel app on 127.0.0.1, through the
/// subscribe, publish and connect proxies.
/// </summary>
public sealed class AppAccessTests : IClassFixture<AppAccessTests.Fixture>
{
    private readonly Fixture _f;

    public AppAccessTests(Fixture fixture) => _f = fixture;

    /// <summary>One backend and one server (on a fake clock, for the proxy cache) for the class.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        public AppBackend Backend { get; private set; } = null!;

        public TestServer Server { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Backend = await AppBackend.StartAsync(AnswerAsync);
            var down = $"http://127.0.0.1:{LoopbackPort.Free()}/subscribe"; // nothing listens there
            Server = new TestServer(new()
            {
                ["Hubbub:Namespaces:orders:Subscribe"] = "Proxy",
                ["Hubbub:Namespaces:orders:Publish"] = "Proxy",
                ["Hubbub:Namespaces:team:Subscribe"] = "Claims",
                ["Hubbub:Namespaces:team:Publish"] = "Claims",
                ["Hubbub:Namespaces:mixed:Subscribe"] = "ClaimsOrProxy",
                ["Hubbub:Namespaces:mixed:HistorySize"] = "5",
                ["Hubbub:Namespaces:down:Subscribe"] = "Proxy",
                ["Hubbub:Namespaces:down:SubscribeProxyUrl"] = down,
                ["Hubbub:Proxy:SubscribeUrl"] = new Uri(Backend.BaseAddress, "subscribe").ToString(),
                ["Hubbub:Proxy:PublishUrl"] = new Uri(Backend.BaseAddress, "publish").ToString(),
                ["Hubbub:Proxy:ConnectUrl"] = new Uri(Backend.BaseAddress, "connect").ToString(),
                ["Hubbub:Proxy:TimeoutMs"] = "3000",
                ["Hubbub:Proxy:CacheSeconds"] = "30",
                ["Hubbub:Proxy:MaxResponseBytes"] = "4096",
            }, Clock);
        }

        public async Task DisposeAsync()
        {
            Server.Dispose();
            await Backend.DisposeAsync();
        }

        /// <summary>The app's rules: a user may subscribe to the orders named after them, or with the ticket "ok".</summary>
        private static async Task AnswerAsync(string path, JsonElement body, HttpContext http)
        {
            var user = body.TryGetProperty("user", out var u) ? u.GetString() : null;
            var channel = body.TryGetProperty("channel", out var c) ? c.GetString() ?? "" : "";
            switch (path)
            {
                case "/subscribe" when channel == "orders:slow":
                    await Task.Delay(TimeSpan.FromSeconds(10), http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                    await http.Response.WriteAsJsonAsync(new { result = "allow" });
                    return;
                case "/subscribe" when channel == "orders:garbage":
                    await http.Response.WriteAsync("<html>not json{");
                    return;
                case "/subscribe" when channel == "orders:huge":
                    await http.Response.WriteAsync("{\"result\":\"allow\",\"pad\":\"" + new string('x', 1_000_000) + "\"}");
                    return;
                case "/subscribe" when channel == "orders:crash":
                    http.Response.StatusCode = 500;
                    return;
                case "/subscribe" when channel == "orders:maybe":
                    await http.Response.WriteAsJsonAsync(new { result = "perhaps" });
                    return;
                case "/subscribe" when channel.Contains("secret", StringComparison.Ordinal):
                    http.Response.StatusCode = 403;
                    return;
                case "/subscribe":
                    var allowed = channel.StartsWith($"orders:{user}-", StringComparison.Ordinal) || channel.StartsWith($"mixed:{user}-", StringComparison.Ordinal)
                        || body.TryGetProperty("data", out var d) && d.TryGetProperty("ticket", out var t) && t.GetString() == "ok";
                    await http.Response.WriteAsJsonAsync(new { result = allowed ? "allow" : "refuse" });
                    return;
                case "/publish":
                    await http.Response.WriteAsJsonAsync(new { result = user == "writer" ? "allow" : "refuse" });
                    return;
                case "/connect":
                    var cookie = http.Request.Cookies["session"];
                    if (cookie == "sess-ada")
                    {
                        await http.Response.WriteAsJsonAsync(new
                        {
                            user = "ada", name = "Ada L.", roles = Array.Empty<string>(), channels = new[] { "team:7" },
                            expires_at = DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeSeconds(),
                        });
                    }
                    else if (cookie == "sess-garbage")
                    {
                        await http.Response.WriteAsJsonAsync(new { user = "has spaces and *" });
                    }
                    else
                    {
                        http.Response.StatusCode = 401;
                    }
                    return;
            }
            http.Response.StatusCode = 404;
        }
    }

    private Task<WsClient> ConnectAsync(string user, string[]? channels = null, object? channelsClaim = null) =>
        WsClient.ConnectAsync(_f.Server.WebSocketUri(TestTokens.For(user, extraClaims: channelsClaim ?? (channels is null ? null : new { channels }))));

    private static string? Reason(JsonElement error) =>
        error.GetProperty("data").TryGetProperty("reason", out var r) ? r.GetString() : null;

    // --- the channels claim -------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_channels_claim_grants_exact_names_and_patterns_in_a_claims_namespace_and_nothing_else()
    {
        await using var c = await ConnectAsync("claimer", ["team:42", "team:eu-*", "orders:*"]);
        await c.SubscribeAsync("team:42");
        await c.SubscribeAsync("team:eu-paris");
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "team:43" })).ErrorCode());
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "team:us-1" })).ErrorCode());
        Assert.Equal("forbidden", (await c.RequestAsync("history", new { channel = "team:420" })).ErrorCode());
        // Publishing follows the same grants (subscribed or not).
        Assert.Equal(1, (await c.OkAsync("publish", new { channel = "team:42", data = new { text = "hi" } })).GetProperty("offset").GetInt64());
        await c.OkAsync("publish", new { channel = "team:eu-berlin", data = 1 });
        Assert.Equal("forbidden", (await c.RequestAsync("publish", new { channel = "team:43", data = 1 })).ErrorCode());
        // A grant in a proxy namespace does not bypass its proxy, nor one for a built-in namespace its rule.
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "orders:someone-else" })).ErrorCode());
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "user:someone" })).ErrorCode());
    }

    [Fact]
    public async Task Without_a_channels_claim_a_claims_namespace_is_forbidden()
    {
        await using var c = await ConnectAsync("no-claims");
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "team:42" })).ErrorCode());
        Assert.Equal("forbidden", (await c.RequestAsync("publish", new { channel = "team:42", data = 1 })).ErrorCode());
    }

    [Fact]
    public async Task A_token_with_a_malformed_channels_claim_is_refused_with_401()
    {
        foreach (var claim in new object[]
        {
            new { channels = new[] { "*" } }, new { channels = new[] { "team" } }, new { channels = new[] { "team:*x*" } },
            new { channels = new object[] { "team:1", 7 } }, new { channels = new { team = "1" } },
            new { channels = Enumerable.Range(0, 300).Select(i => $"team:{i}").ToArray() },
            new { channels = new[] { "team:" + new string('a', 250) } },
        })
        {
            var token = TestTokens.For("bad-claims", extraClaims: claim);
            Assert.Equal(401, await WsClient.HandshakeStatusAsync(_f.Server.WebSocketUri(token)));
        }
        // One grant as text is fine.
        await using var c = await WsClient.ConnectAsync(_f.Server.WebSocketUri(TestTokens.For("one-claim", extraClaims: new { channels = "team:9" })));
        await c.SubscribeAsync("team:9");
    }

    [Fact]
    public async Task A_refresh_replaces_the_channels_claim_for_later_subscribes()
    {
        await using var c = await ConnectAsync("regrant", ["team:1"]);
        await c.SubscribeAsync("team:1");
        await c.OkAsync("refresh", new { token = TestTokens.For("regrant", extraClaims: new { channels = new[] { "team:2" } }) });
        await c.SubscribeAsync("team:2");
        await c.OkAsync("unsubscribe", new { channel = "team:1" });
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "team:1" })).ErrorCode());
    }

    [Fact]
    public async Task Claims_or_proxy_lets_the_claim_decide_without_a_call_and_asks_the_backend_otherwise()
    {
        await using var c = await ConnectAsync("mixer", ["mixed:granted"]);
        await c.SubscribeAsync("mixed:granted");
        Assert.Equal(0, _f.Backend.CallsFor("/subscribe", "mixed:granted"));
        await c.SubscribeAsync("mixed:mixer-own"); // not granted: the backend allows it
        Assert.Equal(1, _f.Backend.CallsFor("/subscribe", "mixed:mixer-own"));
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "mixed:other" })).ErrorCode());
        // Publish is unset: nobody (clients) publishes there.
        Assert.Equal("forbidden", (await c.RequestAsync("publish", new { channel = "mixed:granted", data = 1 })).ErrorCode());
    }

    // --- the subscribe and publish proxies ----------------------------------------------------------------------------

    [Fact]
    public async Task The_subscribe_proxy_allows_with_user_channel_connection_and_the_clients_data()
    {
        await using var c = await ConnectAsync("ann");
        await c.SubscribeAsync("orders:ann-1");
        var call = _f.Backend.Calls.Last(x => x.Path == "/subscribe" && x.Body.GetProperty("channel").GetString() == "orders:ann-1");
        Assert.Equal("ann", call.Body.GetProperty("user").GetString());
        Assert.Equal(c.Welcome.GetProperty("data").GetProperty("client").GetString(), call.Body.GetProperty("connection").GetString());
        Assert.Equal(TestServer.ApiKey, call.Headers["X-Api-Key"]); // the backend can tell Hubbub asks

        await c.OkAsync("subscribe", new { channel = "orders:vip", data = new { ticket = "ok" } });
        var withData = _f.Backend.Calls.Last(x => x.Path == "/subscribe" && x.Body.GetProperty("channel").GetString() == "orders:vip");
        Assert.Equal("ok", withData.Body.GetProperty("data").GetProperty("ticket").GetString());

        (await _f.Server.PublishAsync("""{"channel":"orders:ann-1","type":"order.shipped","data":{"id":1}}""")).EnsureSuccessStatusCode();
        Assert.Equal("orders:ann-1", (await c.NextAsync(f => f.Type() == "order.shipped")).Channel());
    }

    [Fact]
    public async Task The_subscribe_proxy_refuses_with_a_refuse_answer_or_403_as_forbidden()
    {
        await using var c = await ConnectAsync("ben");
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "orders:ann-2" })).ErrorCode());
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "orders:ben-secret" })).ErrorCode());
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "orders:vip2", data = new { ticket = "forged" } })).ErrorCode());
        await c.SubscribeAsync("orders:ben-1"); // still usable
    }

    [Fact]
    public async Task Channels_asked_for_in_the_connect_are_judged_by_the_subscribe_proxy_and_its_refusals_answered_per_channel()
    {
        var uri = new Uri(_f.Server.WebSocketUri(TestTokens.For("cara")) + "&subscribe=orders:cara-1&subscribe=orders:ann-9&subscribe=orders:crash");
        await using var c = await WsClient.ConnectAsync(uri);
        var data = c.Welcome.GetProperty("data");
        Assert.True(data.GetProperty("subscriptions").TryGetProperty("orders:cara-1", out _));
        var call = _f.Backend.Calls.Last(x => x.Path == "/subscribe" && x.Body.GetProperty("channel").GetString() == "orders:cara-1");
        Assert.Equal("cara", call.Body.GetProperty("user").GetString());
        Assert.Equal(data.GetProperty("client").GetString(), call.Body.GetProperty("connection").GetString());

        var errors = data.GetProperty("subscription_errors");
        Assert.Equal("forbidden", errors.GetProperty("orders:ann-9").GetProperty("code").GetString());
        Assert.Equal("internal", errors.GetProperty("orders:crash").GetProperty("code").GetString());
        Assert.Equal("proxy_error", errors.GetProperty("orders:crash").GetProperty("reason").GetString());

        (await _f.Server.PublishAsync("""{"channel":"orders:cara-1","type":"order.shipped","data":{"id":2}}""")).EnsureSuccessStatusCode();
        Assert.Equal(1, (await c.NextAsync(f => f.Type() == "order.shipped")).Offset());
    }

    [Fact]
    public async Task The_publish_proxy_decides_client_publications()
    {
        await using var writer = await ConnectAsync("writer");
        await using var reader = await ConnectAsync("reader");
        Assert.Equal(1, (await writer.OkAsync("publish", new { channel = "orders:board", data = new { n = 1 } })).GetProperty("offset").GetInt64());
        Assert.Equal("forbidden", (await reader.RequestAsync("publish", new { channel = "orders:board", data = new { n = 2 } })).ErrorCode());
    }

    [Fact]
    public async Task A_backend_that_does_not_answer_in_time_fails_the_subscribe_with_internal_proxy_timeout()
    {
        await using var c = await ConnectAsync("patient");
        var watch = Stopwatch.StartNew();
        var error = await c.RequestAsync("subscribe", new { channel = "orders:slow" });
        Assert.Equal("internal", error.ErrorCode());
        Assert.Equal("proxy_timeout", Reason(error));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"took {watch.Elapsed}"); // bounded by the timeout, not the backend's 10 s
        await c.SubscribeAsync("orders:patient-1"); // the connection goes on
    }

    [Fact]
    public async Task A_backend_that_is_down_fails_the_subscribe_with_internal_proxy_unavailable()
    {
        await using var c = await ConnectAsync("stranded");
        var error = await c.RequestAsync("subscribe", new { channel = "down:anything" });
        Assert.Equal("internal", error.ErrorCode());
        Assert.Equal("proxy_unavailable", Reason(error));
        Assert.Contains("unavailable", error.GetProperty("data").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("pong", (await c.RequestAsync("ping")).Type());
    }

    [Fact]
    public async Task A_backend_answering_garbage_a_huge_body_a_500_or_an_unknown_result_fails_with_proxy_error_and_is_not_cached()
    {
        await using var c = await ConnectAsync("gullible");
        foreach (var channel in new[] { "orders:garbage", "orders:huge", "orders:crash", "orders:maybe" })
        {
            var error = await c.RequestAsync("subscribe", new { channel });
            Assert.Equal("internal", error.ErrorCode());
            Assert.Equal("proxy_error", Reason(error));
        }
        var before = _f.Backend.CallsFor("/subscribe", "orders:garbage");
        Assert.Equal("proxy_error", Reason(await c.RequestAsync("subscribe", new { channel = "orders:garbage" })));
        Assert.Equal(before + 1, _f.Backend.CallsFor("/subscribe", "orders:garbage")); // a failure is asked again
        await c.SubscribeAsync("orders:gullible-1");
    }

    [Fact]
    public async Task Proxy_answers_are_cached_per_user_and_channel_for_the_configured_seconds()
    {
        await using var c = await ConnectAsync("cachey");
        await c.SubscribeAsync("orders:cachey-1");
        await c.OkAsync("unsubscribe", new { channel = "orders:cachey-1" });
        await c.SubscribeAsync("orders:cachey-1");
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "orders:not-cacheys" })).ErrorCode());
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "orders:not-cacheys" })).ErrorCode());
        Assert.Equal(1, _f.Backend.CallsFor("/subscribe", "orders:cachey-1")); // the subscribe's second check, the resubscribe: cached
        Assert.Equal(1, _f.Backend.CallsFor("/subscribe", "orders:not-cacheys")); // a refusal too

        // Another user's decision is their own.
        await using var other = await ConnectAsync("other");
        Assert.Equal("forbidden", (await other.RequestAsync("subscribe", new { channel = "orders:cachey-1" })).ErrorCode());
        Assert.Equal(2, _f.Backend.CallsFor("/subscribe", "orders:cachey-1"));

        _f.Clock.Advance(TimeSpan.FromSeconds(31));
        await c.OkAsync("unsubscribe", new { channel = "orders:cachey-1" });
        await c.SubscribeAsync("orders:cachey-1");
        Assert.Equal(3, _f.Backend.CallsFor("/subscribe", "orders:cachey-1")); // expired: asked again
    }

    // --- the connect proxy --------------------------------------------------------------------------------------------

    [Fact]
    public async Task The_connect_proxy_signs_in_an_upgrade_without_a_token_by_its_session_cookie()
    {
        await using var c = await WsClient.ConnectAsync(_f.Server.WebSocketUri(), o => o.SetRequestHeader("Cookie", "theme=dark; session=sess-ada"));
        var welcome = c.Welcome.GetProperty("data");
        Assert.Equal("ada", welcome.GetProperty("user").GetString());
        Assert.Equal("Ada L.", welcome.GetProperty("name").GetString());
        Assert.True(welcome.GetProperty("expires_at").GetInt64() > DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        await c.SubscribeAsync("team:7"); // the channels the backend granted
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "team:8" })).ErrorCode());
        var call = _f.Backend.Calls.Last(x => x.Path == "/connect");
        Assert.Contains("session=sess-ada", call.Headers["Cookie"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_connect_proxy_refusing_or_no_cookie_is_401_and_a_garbage_answer_503_before_the_upgrade()
    {
        var uri = _f.Server.WebSocketUri();
        Assert.Equal(401, await WsClient.HandshakeStatusAsync(uri, o => o.SetRequestHeader("Cookie", "session=stolen")));
        Assert.Equal(401, await WsClient.HandshakeStatusAsync(uri, _ => { }));
        Assert.Equal(503, await WsClient.HandshakeStatusAsync(uri, o => o.SetRequestHeader("Cookie", "session=sess-garbage")));
        // A token, valid or not, is judged as a token: the proxy is for upgrades without one.
        Assert.Equal(401, await WsClient.HandshakeStatusAsync(_f.Server.WebSocketUri("not-a-token"), o => o.SetRequestHeader("Cookie", "session=sess-ada")));
    }

    [Fact]
    public async Task The_connect_proxy_signs_in_the_http_fallbacks_stream_and_posts_by_the_session_cookie()
    {
        // Found by an audit: a cookie-session app behind a proxy that blocks WebSockets could not connect at all.
        await using var sse = await SseClient.ConnectAsync(_f.Server.BaseAddress, token: null, cookie: "theme=dark; session=sess-ada");
        Assert.Equal("ada", sse.Welcome.GetProperty("data").GetProperty("user").GetString());
        var call = _f.Backend.Calls.Last(x => x.Path == "/connect");
        Assert.Equal("sse", call.Body.GetProperty("transport").GetString());
        Assert.Equal(0, (await sse.SubscribeAsync("team:7")).GetProperty("offset").GetInt64()); // a POST, signed in by the cookie too
        Assert.Equal("forbidden", (await sse.RequestAsync("subscribe", new { channel = "team:8" })).ErrorCode());

        Assert.Equal(401, (await SseClient.OpenStatusAsync(_f.Server.BaseAddress, token: null)).Status);
        // A token, valid or not, is judged as a token, on a post as on the stream.
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await sse.PostRawAsync("""{"type":"ping","id":1}""", token: "not-a-token")).Status);
        using var garbage = new HttpClient { BaseAddress = _f.Server.BaseAddress };
        garbage.DefaultRequestHeaders.Add("Cookie", "session=sess-garbage");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await garbage.GetAsync("/ws/sse", HttpCompletionOption.ResponseHeadersRead)).StatusCode);
        using var stolen = new HttpClient { BaseAddress = _f.Server.BaseAddress };
        stolen.DefaultRequestHeaders.Add("Cookie", "session=stolen");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await stolen.PostAsync($"/ws/sse/{sse.Session}",
            new StringContent("""{"type":"ping","id":2}""", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
    }
}

/// <summary>A configured namespace whose rule cannot work, or a proxy setting out of range, stops the start with one line naming the setting.</summary>
public sealed class AppNamespaceConfigurationTests
{
    [Theory]
    [InlineData("orders", "Subscribe", "Proxy", "neither Hubbub:Proxy:SubscribeUrl")]
    [InlineData("orders", "Publish", "Sometimes", "use one of Nobody, Anyone, Claims, Proxy, ClaimsOrProxy")]
    [InlineData("public", "Subscribe", "Claims", "declared by Hubbub or a feature")]
    public Task A_rule_that_cannot_work_stops_the_start(string ns, string what, string value, string message) =>
        StartStopsAsync($"Hubbub__Namespaces__{ns}__{what}", value, message);

    [Theory]
    [InlineData("TimeoutMs", "0", "Hubbub:Proxy:TimeoutMs must be from 1 to 60000 (it is 0)")]
    [InlineData("CacheSeconds", "-5", "Hubbub:Proxy:CacheSeconds must be from 0 to 86400 (it is -5)")]
    [InlineData("MaxResponseBytes", "-1", "Hubbub:Proxy:MaxResponseBytes must be from 1 to 16777216 (it is -1)")]
    [InlineData("MaxCacheEntries", "0", "Hubbub:Proxy:MaxCacheEntries must be from 1 to 10000000")]
    [InlineData("ConnectUrl", "backend/connect", "Hubbub:Proxy:ConnectUrl must be an absolute http:// or https:// URL")]
    [InlineData("SubscribeUrl", "ftp://127.0.0.1/x", "Hubbub:Proxy:SubscribeUrl must be an absolute http:// or https:// URL")]
    public Task A_proxy_setting_out_of_range_stops_the_start(string setting, string value, string message) =>
        StartStopsAsync($"Hubbub__Proxy__{setting}", value, message); // found by an audit: they started, and every proxied call failed

    /// <summary>Starts the server with one setting and expects it to stop at once, with one line naming it.</summary>
    private static async Task StartStopsAsync(string variable, string value, string message)
    {
        var (code, output, error) = await ServerProcess.RunAsync("--urls http://127.0.0.1:0", new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Hubbub__DataDirectory"] = Directory.CreateTempSubdirectory("hubbub-proc-").FullName,
            ["Auth__SigningKey"] = TestTokens.Key,
            [variable] = value,
        });
        Assert.Equal(1, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal); // one line, no stack trace
    }
}
