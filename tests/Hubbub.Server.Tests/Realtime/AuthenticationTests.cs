using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>PROTOCOL "Connecting": every bad token is refused with 401 before the upgrade.</summary>
public sealed class AuthenticationTests : IClassFixture<SharedServer>
{
    private readonly TestServer _server;

    public AuthenticationTests(SharedServer shared) => _server = shared.Server;

    [Fact]
    public async Task Token_in_query_is_accepted_and_welcome_names_the_user()
    {
        await using var client = await WsClient.ConnectAsync(_server.WebSocketUri(TestTokens.For("42", "Ada")));
        var data = client.Welcome.GetProperty("data");
        Assert.Equal("42", data.GetProperty("user").GetString());
        Assert.Equal("Ada", data.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(data.GetProperty("client").GetString()));
        Assert.True(data.GetProperty("heartbeat_ms").GetInt32() > 0);
    }

    [Fact]
    public async Task Token_in_authorization_header_is_accepted()
    {
        await using var client = await WsClient.ConnectAsync(_server.WebSocketUri(), bearer: TestTokens.For("7"));
        Assert.Equal("7", client.Welcome.GetProperty("data").GetProperty("user").GetString());
    }

    public static TheoryData<string, string> BadTokens() => new()
    {
        { "missing", "" },
        { "garbage", "not-a-jwt" },
        { "wrong key", TestTokens.For("1", key: "some-other-key-that-is-long-enough!!") },
        { "expired", TestTokens.For("1", lifetime: TimeSpan.FromMinutes(-5)) },
        { "alg none", TestTokens.For("1", alg: "none") },
        { "HS512 with the same key", TestTokens.For("1", alg: "HS512") },
        { "RS256 header over an HMAC signature", TestTokens.For("1", alg: "RS256") },
        { "no exp", TestTokens.Sign(new Dictionary<string, object?> { ["sub"] = "1" }) },
        { "no sub", TestTokens.Sign(new Dictionary<string, object?> { ["name"] = "x", ["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() }) },
        { "tampered payload", Tamper(TestTokens.For("1")) },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Bad_tokens_get_401_before_the_upgrade(string why, string token)
    {
        var uri = token.Length == 0 ? _server.WebSocketUri() : _server.WebSocketUri(token);
        Assert.True(401 == await WsClient.HandshakeStatusAsync(uri), why);
    }

    [Fact]
    public async Task Bad_bearer_header_gets_401()
    {
        Assert.Equal(401, await WsClient.HandshakeStatusAsync(_server.WebSocketUri(), bearer: TestTokens.For("1", alg: "none")));
    }

    [Fact]
    public async Task Plain_http_get_with_a_valid_token_is_a_bad_request_not_a_socket()
    {
        var response = await _server.Http.GetAsync("/ws?access_token=" + TestTokens.For("1"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Only_ws_itself_is_the_socket_endpoint_not_paths_under_it()
    {
        var token = TestTokens.For("1");
        var response = await _server.Http.GetAsync("/ws/other?access_token=" + token);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(404, await WsClient.HandshakeStatusAsync(new Uri(_server.WebSocketUri(token).ToString().Replace("/ws?", "/ws/x?", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task A_token_in_both_query_and_header_is_read_from_the_query_as_the_bearer_scheme_does()
    {
        // The REST scheme's message-received event takes access_token first; the header only when there is none.
        Assert.Equal(0, await WsClient.HandshakeStatusAsync(_server.WebSocketUri(TestTokens.For("1")), bearer: "garbage")); // 0: upgraded
        Assert.Equal(401, await WsClient.HandshakeStatusAsync(_server.WebSocketUri("garbage"), bearer: TestTokens.For("1")));
        Assert.Equal(0, await WsClient.HandshakeStatusAsync(new Uri(_server.WebSocketUri("x").ToString().Replace("access_token=x", "access_token=", StringComparison.Ordinal)),
            bearer: TestTokens.For("1")));
    }

    [Fact]
    public async Task Issuer_and_audience_are_checked_when_configured()
    {
        using var server = new TestServer(new() { ["Auth:Issuer"] = "https://issuer.test", ["Auth:Audience"] = "hubbub" });
        var good = TestTokens.For("1", extraClaims: new { iss = "https://issuer.test", aud = "hubbub" });
        var wrongIssuer = TestTokens.For("1", extraClaims: new { iss = "https://evil.test", aud = "hubbub" });
        var wrongAudience = TestTokens.For("1", extraClaims: new { iss = "https://issuer.test", aud = "other" });
        Assert.Equal(0, await WsClient.HandshakeStatusAsync(server.WebSocketUri(good)));
        Assert.Equal(401, await WsClient.HandshakeStatusAsync(server.WebSocketUri(wrongIssuer)));
        Assert.Equal(401, await WsClient.HandshakeStatusAsync(server.WebSocketUri(wrongAudience)));
        Assert.Equal(401, await WsClient.HandshakeStatusAsync(server.WebSocketUri(TestTokens.For("1"))));
    }

    [Fact]
    public async Task Short_signing_keys_still_work()
    {
        using var server = new TestServer(new() { ["Auth:SigningKey"] = "short" });
        Assert.Equal(0, await WsClient.HandshakeStatusAsync(server.WebSocketUri(TestTokens.For("1", key: "short"))));
        Assert.Equal(401, await WsClient.HandshakeStatusAsync(server.WebSocketUri(TestTokens.For("1", key: "shorT"))));
    }

    [Fact]
    public async Task Roles_admin_may_subscribe_to_another_users_channel()
    {
        await using var admin = await _server.ConnectAsync("root", roles: ["admin"]);
        await admin.SubscribeAsync("user:someone-else");
    }

    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = TestTokens.B64(System.Text.Encoding.UTF8.GetBytes("""{"sub":"admin","roles":["admin"],"exp":9999999999}"""));
        return $"{parts[0]}.{payload}.{parts[2]}";
    }
}
