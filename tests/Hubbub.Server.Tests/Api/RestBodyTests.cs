using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Api;

/// <summary>
/// REST bodies are JSON whatever the client declares by default (curl's form type, fetch's text/plain, none), and
/// a refusal for lack of credentials says what to fix — also that the server has no API key at all.
/// </summary>
public sealed class RestBodyTests : IClassFixture<SharedServer>
{
    private readonly TestServer _server;

    public RestBodyTests(SharedServer shared) => _server = shared.Server;

    private static StringContent Body(string json, string? contentType)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, HttpContent? content,
        string? bearer = null, string? apiKey = null, TestServer? server = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }
        using var response = await (server ?? _server).Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.False(string.IsNullOrEmpty(text), $"{(int)response.StatusCode} with an empty body");
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")] // curl -d
    [InlineData("text/plain; charset=utf-8")] // fetch with a string body
    [InlineData(null)]
    [InlineData("application/json")]
    public async Task A_feature_endpoint_reads_a_json_body_whatever_its_declared_default_type(string? contentType)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/rooms", Body("""{"title":"Algebra"}""", contentType),
            bearer: TestTokens.For("rest-body-1"));
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("Algebra", body.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/plain")]
    [InlineData(null)]
    public async Task The_server_api_reads_a_json_body_whatever_its_declared_default_type(string? contentType)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/publish",
            Body("""{"channel":"public:rest-body","data":{"text":"hi"}}""", contentType), apiKey: TestServer.ApiKey);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("offset").GetInt64() >= 1);
    }

    [Fact]
    public async Task A_form_body_that_is_not_json_is_a_clear_bad_request()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/rooms", Body("title=Algebra&members=bob", "application/x-www-form-urlencoded"),
            bearer: TestTokens.For("rest-body-2"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("bad_request", body.GetProperty("code").GetString());
        Assert.Contains("JSON", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_declared_as_another_type_is_415_with_the_error_body()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/rooms", Body("<room/>", "application/xml"), bearer: TestTokens.For("rest-body-3"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("Content-Type: application/json", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_without_an_api_key_says_so_when_it_refuses_one()
    {
        using var keyless = new TestServer(new() { ["Auth:ApiKey"] = "" });
        foreach (var (method, path, content) in new (HttpMethod, string, HttpContent?)[]
        {
            (HttpMethod.Post, "/api/publish", Body("""{"channel":"public:x","data":1}""", "application/json")),
            (HttpMethod.Get, "/api/rooms?user=42", null), // a feature endpoint (kit)
            (HttpMethod.Post, "/api/events", Body("""{"id":"e1","user":"42","type":"workout"}""", "application/json")), // gamification's own check
        })
        {
            var (status, body) = await SendAsync(method, path, content, apiKey: "what-the-readme-said", server: keyless);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Contains("no API key configured", body.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Contains("Auth__ApiKey", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        var (_, noKey) = await SendAsync(HttpMethod.Post, "/api/publish", Body("""{"channel":"public:x","data":1}""", "application/json"), server: keyless);
        Assert.Contains("no API key configured", noKey.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_api_key_is_told_apart_from_a_missing_one()
    {
        var (status, body) = await SendAsync(HttpMethod.Get, "/api/rooms?user=42", null, apiKey: "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("does not match", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        var (_, none) = await SendAsync(HttpMethod.Get, "/api/rooms", null);
        Assert.Contains("bearer token (Authorization: Bearer) or X-Api-Key is required", none.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
