using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hubbub.Messaging.Tests.Infrastructure;
using static Hubbub.Messaging.Tests.ConversationApiTests;

namespace Hubbub.Messaging.Tests;

/// <summary>
/// Issue 13 findings 6, 8 and 9 on the feature APIs, on each database: malformed bodies and non-JSON content types
/// are <c>{"code","message"}</c> errors (never a bare status or a 500), tokens whose names could not be stored are
/// refused at the door, names that can are stored and shown as given, and numeric ids have one form only.
/// </summary>
public abstract class InputRulesTests(ChatFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(string user, HttpMethod method, string path, byte[]? body,
        string? contentType = "application/json")
    {
        using var http = new HttpClient { BaseAddress = Chat.Server.BaseAddress };
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(user));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length > 0, $"{method} {path} answered {(int)response.StatusCode} with an empty body");
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static void AssertError(HttpStatusCode status, string code, (HttpStatusCode Status, JsonElement Body) answer, string why)
    {
        Assert.True(answer.Status == status, $"{why}: {(int)answer.Status} {answer.Body}");
        Assert.Equal(code, answer.Body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(answer.Body.GetProperty("message").GetString()), why);
    }

    public static TheoryData<string, byte[]> MalformedBodies() => new()
    {
        { "lone surrogate in a string field", "{\"text\":\"hi \\ud800\",\"title\":\"\\udc00\",\"participants\":[\"\\ud800\"],\"message_id\":\"\\ud800\"}"u8.ToArray() },
        { "lone surrogate as a key", "{\"\\ud800\":1}"u8.ToArray() },
        { "invalid UTF-8", [.. "{\"text\":\""u8, 0xFF, .. "\",\"title\":\"x\"}"u8] },
        { "nesting deeper than 64", Encoding.UTF8.GetBytes("{\"text\":\"x\",\"extra\":" + new string('[', 5000) + new string(']', 5000) + "}") },
        { "fields of the wrong type", "{\"text\":1e400,\"participants\":1,\"users\":1,\"members\":1,\"id\":5,\"title\":[],\"message_id\":{}}"u8.ToArray() },
        { "not JSON", "hello"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Every_body_endpoint_answers_malformed_json_with_bad_request(string why, byte[] body)
    {
        var ada = Users.New("ada");
        using var api = Chat.Api(ada);
        var c = Id(await api.CreateAsync([Users.New("bob"), Users.New("cy")], kind: "group"));
        var m = Id(await api.SendAsync(c, "first"));
        foreach (var (method, path) in BodyEndpoints(c, m))
        {
            AssertError(HttpStatusCode.BadRequest, "bad_request", await SendAsync(ada, method, path, body), $"{why}: {method} {path}");
        }
    }

    // text/plain and application/x-www-form-urlencoded (fetch's and curl's defaults) are read as JSON: RestBodyTests.
    [Theory]
    [InlineData("application/xml")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task A_body_that_is_not_declared_json_gets_an_error_body_not_a_bare_415(string? contentType)
    {
        var ada = Users.New("ada");
        using var api = Chat.Api(ada);
        var c = Id(await api.CreateAsync([Users.New("bob"), Users.New("cy")], kind: "group"));
        var m = Id(await api.SendAsync(c, "first"));
        foreach (var (method, path) in BodyEndpoints(c, m))
        {
            var answer = await SendAsync(ada, method, path, "{\"text\":\"x\"}"u8.ToArray(), contentType);
            AssertError(HttpStatusCode.UnsupportedMediaType, "bad_request", answer, $"{contentType}: {method} {path}");
        }
    }

    [Fact]
    public async Task Unknown_api_paths_and_methods_get_error_bodies()
    {
        var ada = Users.New("ada");
        AssertError(HttpStatusCode.NotFound, "not_found", await SendAsync(ada, HttpMethod.Get, "/api/nothing-here", null), "unknown path");
        AssertError(HttpStatusCode.MethodNotAllowed, "bad_request", await SendAsync(ada, HttpMethod.Put, "/api/conversations", "{}"u8.ToArray()), "unknown method");
    }

    private static (HttpMethod, string)[] BodyEndpoints(string c, string m) =>
    [
        (HttpMethod.Post, "/api/conversations"),
        (HttpMethod.Post, $"/api/conversations/{c}/participants"),
        (HttpMethod.Post, $"/api/conversations/{c}/messages"),
        (HttpMethod.Patch, $"/api/conversations/{c}/messages/{m}"),
        (HttpMethod.Post, $"/api/conversations/{c}/read"),
        (HttpMethod.Post, "/api/rooms"),
        (HttpMethod.Post, "/api/rooms/r1/members"),
    ];

    [Theory]
    [InlineData("NUL in the name", "\"name\":\"Ada\\u0000\"")]
    [InlineData("NUL in the sub", null)]
    [InlineData("a line break in the name", "\"name\":\"Ada\\nL\"")]
    public async Task A_token_whose_name_or_sub_cannot_be_stored_is_refused_at_the_door(string why, string? nameClaim)
    {
        var user = Users.New("ada");
        var token = nameClaim is null
            ? TestTokens.WithClaims($"\"sub\":\"{user}\\u0000\"")
            : TestTokens.WithClaims($"\"sub\":\"{user}\",{nameClaim}");
        using var api = new ApiClient(Chat.Server.BaseAddress, token);
        var answer = await api.PostAsync("/api/conversations", new { participants = new[] { Users.New("bob") } });
        Assert.True(answer.Status == HttpStatusCode.Unauthorized, $"{why}: {answer}");
        Assert.Equal("unauthorized", answer.Code);
        Assert.Equal(401, await WsClient.HandshakeStatusAsync(Chat.Server.WebSocketUri(token)));
    }

    [Fact]
    public async Task The_longest_name_the_rule_allows_is_stored_and_shown_as_given()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        var name = "Adé 👋 <b>&\"'</b> " + new string('n', 128 - "Adé 👋 <b>&\"'</b> ".Length);
        Assert.Equal(128, name.Length);
        using var adaApi = Chat.Api(ada, name);
        var c = Id(await adaApi.CreateAsync([bob]));
        var sent = await adaApi.SendAsync(c, "hi");
        Assert.Equal(name, sent.GetProperty("sender").GetProperty("name").GetString());

        using var bobApi = Chat.Api(bob);
        var participants = (await bobApi.GetAsync($"/api/conversations/{c}")).Body.GetProperty("participants").EnumerateArray();
        Assert.Equal(name, participants.Single(p => p.GetProperty("user").GetString() == ada).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("0{0}")]
    [InlineData("00{0}")]
    public async Task A_conversation_id_has_one_form_only(string alias)
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        var c = Id(await adaApi.CreateAsync([bob]));
        var other = string.Format(System.Globalization.CultureInfo.InvariantCulture, alias, c);

        await using var ws = await Chat.ConnectAsync(ada);
        await ws.SubscribeAsync($"conversation:{c}");
        var refused = await ws.RequestAsync("subscribe", new { channel = $"conversation:{other}" });
        Assert.Equal("forbidden", refused.ErrorCode());
        Assert.Equal("not_found", (await ws.RequestAsync("chat.send", new { conversation = other, text = "x" })).ErrorCode());

        Assert.Equal(HttpStatusCode.NotFound, (await adaApi.GetAsync($"/api/conversations/{other}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await adaApi.PostAsync($"/api/conversations/{other}/messages", new { text = "x" })).Status);
        var m = Id(await adaApi.SendAsync(c, "first"));
        Assert.Equal(HttpStatusCode.NotFound, (await adaApi.DeleteAsync($"/api/conversations/{c}/messages/0{m}")).Status);
    }
}

public sealed class InputRulesSqliteTests(SqliteChat f) : InputRulesTests(f), IClassFixture<SqliteChat>;

public sealed class InputRulesPostgresTests(PostgresChat f) : InputRulesTests(f), IClassFixture<PostgresChat>;
