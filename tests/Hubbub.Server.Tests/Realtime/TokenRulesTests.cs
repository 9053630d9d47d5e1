using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>Both servers of <see cref="TokenRulesTests"/>: the connection-level accept on, and off (every upgrade through the HTTP layer).</summary>
public sealed class TwoDoorServers : IDisposable
{
    public TestServer ConnectionDoor { get; } = new();

    public TestServer HttpDoor { get; } = new(new() { ["Hubbub:ConnectionLevelAccept"] = "false" });

    public void Dispose()
    {
        ConnectionDoor.Dispose();
        HttpDoor.Dispose();
    }
}

/// <summary>
/// Issue 13 findings 8 and 9: tokens whose claims break Hubbub's rules (the user-id rule for <c>sub</c>, the
/// display-name rule, numeric dates, no <c>crit</c>) are refused with 401 on both <c>/ws</c> doors and the REST API.
/// </summary>
public sealed class TokenRulesTests(TwoDoorServers servers) : IClassFixture<TwoDoorServers>
{
    private static string Header(string extra = "") => $$"""{"alg":"HS256","typ":"JWT"{{extra}}}""";

    private static long Exp => DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();

    public static TheoryData<string, string> RefusedTokens() => new()
    {
        { "NUL in sub", TestTokens.WithClaims("\"sub\":\"ada\\u0000\"") },
        { "NUL in name", TestTokens.WithClaims("\"sub\":\"ada\",\"name\":\"Ada\\u0000\"") },
        { "line break in name", TestTokens.WithClaims("\"sub\":\"ada\",\"name\":\"Ada\\nLovelace\"") },
        { "DEL in name", TestTokens.WithClaims("\"sub\":\"ada\",\"name\":\"Ada\\u007f\"") },
        { "lone surrogate in name", TestTokens.WithClaims("\"sub\":\"ada\",\"name\":\"Ada \\ud800\"") },
        { "name of 129 characters", TestTokens.For("ada", name: new string('n', 129)) },
        { "name not a string", TestTokens.WithClaims("\"sub\":\"ada\",\"name\":{\"first\":\"Ada\"}") },
        { "sub a space", TestTokens.For(" ") },
        { "sub empty", TestTokens.For("") },
        { "sub *", TestTokens.For("*") },
        { "sub ../..", TestTokens.For("../..") },
        { "sub of 5,000 characters", TestTokens.For(new string('u', 5000), name: "U") },
        { "sub of 129 characters", TestTokens.For(new string('u', 129), name: "U") },
        { "sub with a tab", TestTokens.For("ada\tlovelace") },
        { "sub with a non-ASCII letter", TestTokens.For("adé") },
        { "sub a number", TestTokens.WithClaims("\"sub\":42") },
        { "sub 'me', the word paths use for the caller", TestTokens.For("me") },
        { "exp a string", TestTokens.SignRaw(Header(), $$"""{"sub":"ada","exp":"{{Exp}}"}""") },
        { "nbf a string", TestTokens.SignRaw(Header(), $$"""{"sub":"ada","exp":{{Exp}},"nbf":"0"}""") },
        { "iat a string", TestTokens.SignRaw(Header(), $$"""{"sub":"ada","exp":{{Exp}},"iat":"0"}""") },
        { "crit with an unknown extension", TestTokens.SignRaw(Header(""","crit":["x-unknown"],"x-unknown":true"""), $$"""{"sub":"ada","exp":{{Exp}}}""") },
        { "crit empty", TestTokens.SignRaw(Header(""","crit":[]"""), $$"""{"sub":"ada","exp":{{Exp}}}""") },
    };

    public static TheoryData<string, string> AcceptedTokens() => new()
    {
        { "plain", TestTokens.For("ada", "Ada") },
        { "sub that starts with 'me'", TestTokens.For("me2") },
        { "identity-provider id", TestTokens.For("auth0|5f7c.x-y_z:a@b=c,d") },
        { "sub of 128 characters", TestTokens.For(new string('u', 128), name: "U") },
        { "name of 128 characters with emoji and accents", TestTokens.For("ada", name: "Adé 👋 " + new string('n', 120)) },
        { "no name", TestTokens.WithClaims("\"sub\":\"ada\"") },
        { "name null", TestTokens.WithClaims("\"sub\":\"ada\",\"name\":null") },
        { "numeric dates", TestTokens.SignRaw(Header(), $$"""{"sub":"ada","exp":{{Exp}},"nbf":0,"iat":1.5}""") },
    };

    // The token goes in the Authorization header: in the query, the 5,000-character one would be refused as too long a target (414) before any token check.
    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task Refused_on_both_socket_doors_and_by_the_rest_api(string why, string token)
    {
        Assert.Equal((why, 401, 401), (why, await WsClient.HandshakeStatusAsync(servers.ConnectionDoor.WebSocketUri(), bearer: token),
            await WsClient.HandshakeStatusAsync(servers.HttpDoor.WebSocketUri(), bearer: token)));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/conversations");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await servers.ConnectionDoor.Http.SendAsync(request);
        Assert.True(HttpStatusCode.Unauthorized == response.StatusCode, $"REST: {why}: {(int)response.StatusCode}");
        Assert.Equal("unauthorized", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
    }

    [Theory]
    [MemberData(nameof(AcceptedTokens))]
    public async Task Accepted_on_both_socket_doors_and_by_the_rest_api(string why, string token)
    {
        Assert.Equal((why, 0, 0), (why, await WsClient.HandshakeStatusAsync(servers.ConnectionDoor.WebSocketUri(), bearer: token),
            await WsClient.HandshakeStatusAsync(servers.HttpDoor.WebSocketUri(), bearer: token)));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/conversations");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await servers.ConnectionDoor.Http.SendAsync(request);
        Assert.True(HttpStatusCode.OK == response.StatusCode, $"REST: {why}: {(int)response.StatusCode}");
    }
}
