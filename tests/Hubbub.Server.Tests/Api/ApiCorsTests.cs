using System.Net;
using System.Text;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Api;

/// <summary>
/// CORS on the REST API: a page on an origin of <c>Auth:AllowedOrigins</c> may call <c>/api/…</c> with its JWT (the
/// preflight answered, the answers and errors readable); any other origin gets no CORS headers, and no credentials mode
/// is ever allowed (the token is a header, not a cookie).
/// </summary>
public sealed class ApiCorsTests : IDisposable
{
    private const string App = "https://app.example.com";
    private readonly TestServer _server = new(new() { ["Auth:AllowedOrigins:0"] = App + "/" });

    public void Dispose() => _server.Dispose();

    private static HttpRequestMessage Preflight(string path, string origin, string method = "POST") => new(HttpMethod.Options, path)
    {
        Headers =
        {
            { "Origin", origin },
            { "Access-Control-Request-Method", method },
            { "Access-Control-Request-Headers", "authorization,content-type" },
        },
    };

    private static string? Header(HttpResponseMessage answer, string name) =>
        answer.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Theory]
    [InlineData("/api/notifications/read", "POST")]
    [InlineData("/api/events", "POST")]
    [InlineData("/api/friends/42", "DELETE")]
    public async Task A_listed_origins_preflight_is_answered_with_what_it_asked(string path, string method)
    {
        using var answer = await _server.Http.SendAsync(Preflight(path, App, method));
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal(App, Header(answer, "Access-Control-Allow-Origin"));
        Assert.Contains(method, Header(answer, "Access-Control-Allow-Methods") ?? "", StringComparison.Ordinal);
        Assert.Contains("authorization", Header(answer, "Access-Control-Allow-Headers") ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.Null(Header(answer, "Access-Control-Allow-Credentials"));
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("https://app.example.com.evil.example")]
    [InlineData("null")]
    public async Task Another_origin_gets_no_cors_headers(string origin)
    {
        using var preflight = await _server.Http.SendAsync(Preflight("/api/notifications", origin, "GET"));
        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/notifications") { Headers = { { "Origin", origin } } };
        read.Headers.Authorization = new("Bearer", TestTokens.For("c1"));
        using var answer = await _server.Http.SendAsync(read);
        Assert.Null(Header(answer, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_listed_origin_reads_answers_and_refusals()
    {
        using var read = new HttpRequestMessage(HttpMethod.Get, "/api/notifications") { Headers = { { "Origin", App } } };
        read.Headers.Authorization = new("Bearer", TestTokens.For("c2"));
        using var answer = await _server.Http.SendAsync(read);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(App, Header(answer, "Access-Control-Allow-Origin"));

        // The page can read why it was refused: no token, and a malformed body.
        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/api/notifications") { Headers = { { "Origin", App } } };
        using var refused = await _server.Http.SendAsync(anonymous);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(App, Header(refused, "Access-Control-Allow-Origin"));
        using var bad = new HttpRequestMessage(HttpMethod.Post, "/api/notifications/read")
        {
            Headers = { { "Origin", App } },
            Content = new StringContent("{\"up_to\":", Encoding.UTF8, "application/json"),
        };
        bad.Headers.Authorization = new("Bearer", TestTokens.For("c2"));
        using var badAnswer = await _server.Http.SendAsync(bad);
        Assert.Equal(HttpStatusCode.BadRequest, badAnswer.StatusCode);
        Assert.Equal(App, Header(badAnswer, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Paths_outside_the_api_are_not_opened()
    {
        using var preflight = await _server.Http.SendAsync(Preflight("/metrics", App, "GET"));
        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
    }
}
