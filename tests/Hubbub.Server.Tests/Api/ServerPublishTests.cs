using System.Net;
using System.Text.Json;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Api;

/// <summary>PROTOCOL "Server API": POST /api/publish with X-Api-Key.</summary>
public sealed class ServerPublishTests : IClassFixture<SharedServer>
{
    private readonly TestServer _server;

    public ServerPublishTests(SharedServer shared) => _server = shared.Server;

    private static string Channel() => "public:" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Publishes_with_the_event_type_and_returns_the_offset()
    {
        var channel = Channel();
        await using var c = await _server.ConnectAsync("api1");
        await c.SubscribeAsync(channel);
        var response = await _server.PublishAsync(JsonSerializer.Serialize(new { channel, type = "checkin", data = new { gym = "north", count = 12 } }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, body.GetProperty("offset").GetInt64());
        var e = await c.NextAsync(f => f.Type() == "checkin");
        Assert.Equal(1, e.Offset());
        Assert.Equal(12, e.GetProperty("data").GetProperty("count").GetInt32());

        var second = await _server.PublishAsync(JsonSerializer.Serialize(new { channel, data = "plain" }));
        Assert.Equal(2, JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("offset").GetInt64());
        Assert.Equal("message", (await c.NextAsync(f => f.Offset() == 2)).Type());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong-key")]
    [InlineData("test-api-ke")]
    public async Task Missing_or_wrong_key_is_401(string? key)
    {
        var response = await _server.PublishAsync("""{"channel":"public:x","data":1}""", key);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("unauthorized", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Unconfigured_api_key_refuses_everyone()
    {
        using var server = new TestServer(new() { ["Auth:ApiKey"] = "" });
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.PublishAsync("""{"channel":"public:x","data":1}""", "")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.PublishAsync("""{"channel":"public:x","data":1}""", "anything")).StatusCode);
    }

    [Theory]
    [InlineData("not json", HttpStatusCode.BadRequest, "bad_request")]
    [InlineData("", HttpStatusCode.BadRequest, "bad_request")]
    [InlineData("[]", HttpStatusCode.BadRequest, "bad_request")]
    [InlineData("""{"channel":"public:x"}""", HttpStatusCode.BadRequest, "bad_request")]
    [InlineData("""{"data":1}""", HttpStatusCode.BadRequest, "bad_request")]
    [InlineData("""{"channel":"no-namespace","data":1}""", HttpStatusCode.BadRequest, "bad_request")]
    [InlineData("""{"channel":"public:<b>","data":1}""", HttpStatusCode.BadRequest, "bad_request")]
    [InlineData("""{"channel":"public:x","type":"welcome","data":1}""", HttpStatusCode.BadRequest, "bad_request")]
    [InlineData("""{"channel":"public:x","type":"","data":1}""", HttpStatusCode.BadRequest, "bad_request")]
    [InlineData("""{"channel":"nowhere:x","data":1}""", HttpStatusCode.NotFound, "not_found")]
    [InlineData("""{"channel":5,"data":1}""", HttpStatusCode.BadRequest, "bad_request")]
    public async Task Bad_bodies_get_a_clear_error(string body, HttpStatusCode status, string code)
    {
        var response = await _server.PublishAsync(body);
        Assert.Equal(status, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    public static TheoryData<string, byte[]> MalformedBodies() => new()
    {
        // Issue 13 finding 6: this one answered 500 with an empty body.
        { "lone high surrogate in data", "{\"channel\":\"public:x\",\"data\":\"\\ud800\"}"u8.ToArray() },
        { "lone low surrogate in data", "{\"channel\":\"public:x\",\"data\":[\"a\\udc00b\"]}"u8.ToArray() },
        { "lone surrogate as a key", "{\"channel\":\"public:x\",\"data\":{\"\\ud800\":1}}"u8.ToArray() },
        { "lone surrogate in the channel", "{\"channel\":\"public:\\ud800\",\"data\":1}"u8.ToArray() },
        { "lone surrogate in the type", "{\"channel\":\"public:x\",\"type\":\"\\ud800\",\"data\":1}"u8.ToArray() },
        { "invalid UTF-8 in data", [.. "{\"channel\":\"public:x\",\"data\":\""u8, 0xFF, 0xFE, .. "\"}"u8] },
        { "invalid UTF-8 in a key", [.. "{\"channel\":\"public:x\",\"data\":{\""u8, 0xC3, .. "\":1}}"u8] },
        { "truncated UTF-8 sequence", [.. "{\"channel\":\"public:x\",\"data\":\"\u00e9"u8, 0xE2, 0x82, .. "\"}"u8] },
        { "nesting deeper than 64", System.Text.Encoding.UTF8.GetBytes("{\"channel\":\"public:x\",\"data\":" + new string('[', 5000) + new string(']', 5000) + "}") },
        { "number beyond double as the type", "{\"channel\":\"public:x\",\"data\":1,\"type\":1e400}"u8.ToArray() },
        { "NUL byte outside a string", "{\"channel\":\"public:x\",\0\"data\":1}"u8.ToArray() },
        { "byte order marks only", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] },
        { "duplicate members with a bad second", "{\"channel\":\"public:x\",\"data\":1,\"data\":\"\\udfff\"}"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_bodies_are_bad_requests_never_500(string why, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Api-Key", TestServer.ApiKey);
        using var response = await _server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {(int)response.StatusCode} {text}");
        var error = JsonDocument.Parse(text).RootElement;
        Assert.Equal("bad_request", error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task A_body_nests_as_deep_as_the_publish_frame_it_stands_for_and_deeper_is_refused_saying_so()
    {
        // The body is what a publish frame carries as its data ({channel, data}): REST took 63 levels where the WebSocket
        // refuses a frame past 32, i.e. a body past 31.
        var channel = Channel();
        await using var c = await _server.ConnectAsync("api-deep");
        await c.SubscribeAsync(channel);
        static string Nested(int depth) => new string('[', depth) + "1" + new string(']', depth);

        var fits = await _server.PublishAsync($$"""{"channel":"{{channel}}","data":{{Nested(30)}}}"""); // 31 levels with the body
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        var sameOverSocket = await c.RequestAsync("publish", new { channel, data = JsonDocument.Parse(Nested(30)).RootElement });
        Assert.Equal("reply", sameOverSocket.GetProperty("type").GetString());

        var deep = await _server.PublishAsync($$"""{"channel":"{{channel}}","data":{{Nested(31)}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, deep.StatusCode);
        var error = JsonDocument.Parse(await deep.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("bad_request", error.GetProperty("code").GetString());
        Assert.Contains("nested deeper than 31 levels", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        var overSocket = await c.RequestAsync("publish", new { channel, data = JsonDocument.Parse(Nested(31)).RootElement });
        Assert.Equal("bad_request", overSocket.ErrorCode());
    }

    [Fact]
    public async Task A_surrogate_pair_escape_is_valid_and_published()
    {
        var channel = Channel();
        await using var c = await _server.ConnectAsync("api2");
        await c.SubscribeAsync(channel);
        var response = await _server.PublishAsync($$"""{"channel":"{{channel}}","data":"\ud83d\ude00"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("😀", (await c.NextAsync(f => f.Type() == "message")).GetProperty("data").GetString());
    }

    [Fact]
    public async Task Oversized_body_is_413()
    {
        var big = JsonSerializer.Serialize(new { channel = "public:x", data = new string('x', 70_000) });
        var response = await _server.PublishAsync(big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("too_large", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Get_is_not_allowed()
    {
        var response = await _server.Http.GetAsync("/api/publish");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("bad_request", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }
}
