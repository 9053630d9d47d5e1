using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Hubbub.Console.Tests.Infrastructure;

namespace Hubbub.Console.Tests;

/// <summary>The Development-only sign-in endpoint: mints working tokens there, refuses bad input, absent elsewhere.</summary>
public sealed class DevTokenEndpointTests
{
    [Fact]
    public async Task Development_mints_a_token_the_websocket_accepts()
    {
        using var server = new ConsoleServer();
        var info = await server.Http.GetFromJsonAsync<JsonElement>("/api/dev");
        Assert.True(info.GetProperty("development").GetBoolean());

        var response = await server.Http.PostAsJsonAsync("/api/dev/token", new { user = "alice", name = "Alice A." });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

        using var socket = new ClientWebSocket();
        var uri = new UriBuilder(server.BaseAddress) { Scheme = "ws", Path = "/ws", Query = "access_token=" + Uri.EscapeDataString(token) }.Uri;
        await socket.ConnectAsync(uri, CancellationToken.None);
        var buffer = new byte[8192];
        var result = await socket.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        var welcome = JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count)).RootElement;
        Assert.Equal("welcome", welcome.GetProperty("type").GetString());
        Assert.Equal("alice", welcome.GetProperty("data").GetProperty("user").GetString());
        Assert.Equal("Alice A.", welcome.GetProperty("data").GetProperty("name").GetString());
        socket.Abort();
    }

    [Theory]
    [InlineData("""{"user":""}""")]
    [InlineData("""{"name":"no user"}""")]
    [InlineData("""{"user":"   "}""")]
    [InlineData("""{"user":"a b"}""")]
    [InlineData("""{"user":"<script>"}""")]
    [InlineData("""{"user":"ünïcode"}""")]
    [InlineData("""{"user":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}""")]
    [InlineData("""{"user":"bob","name":"line\nbreak"}""")]
    [InlineData("""{"user":42}""")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("null")]
    public async Task Bad_input_is_refused_with_bad_request(string body)
    {
        using var server = new ConsoleServer();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await server.Http.PostAsync("/api/dev/token", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("bad_request", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_oversized_body_is_refused()
    {
        using var server = new ConsoleServer();
        using var content = new StringContent($$"""{"user":"bob","name":"{{new string('x', 10_000)}}"}""", Encoding.UTF8, "application/json");
        var response = await server.Http.PostAsync("/api/dev/token", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task Outside_development_the_endpoints_do_not_exist(string environment)
    {
        using var server = new ConsoleServer(environment);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/api/dev")).StatusCode);
        var response = await server.Http.PostAsJsonAsync("/api/dev/token", new { user = "mallory", name = "Admin" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.PostAsync("/api/dev/seed", null)).StatusCode);
        // The console itself is still served, for pasting a token.
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task The_demo_data_waits_for_the_picker_and_is_stored_once()
    {
        using var server = new ConsoleServer(settings: new() { ["Social:DevelopmentSeed"] = "true" });
        // A fresh Development server's API is empty: an app or a test using the demo users' ids meets no seeded friends.
        Assert.Equal(0, await FriendCountAsync(server, "alice"));

        var first = await server.Http.PostAsync("/api/dev/seed", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True((await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seeded").GetBoolean());
        Assert.Equal(2, await FriendCountAsync(server, "alice")); // Bob and Carol

        var again = await server.Http.PostAsync("/api/dev/seed", null);
        Assert.False((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seeded").GetBoolean());
        Assert.Equal(2, await FriendCountAsync(server, "alice"));
    }

    [Fact]
    public async Task With_the_seed_off_the_picker_stores_nothing()
    {
        using var server = new ConsoleServer(); // Social:DevelopmentSeed=false
        var reply = await server.Http.PostAsync("/api/dev/seed", null);
        Assert.False((await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seeded").GetBoolean());
        Assert.Equal(0, await FriendCountAsync(server, "alice"));
    }

    private static async Task<int> FriendCountAsync(ConsoleServer server, string user)
    {
        var minted = await server.Http.PostAsJsonAsync("/api/dev/token", new { user, name = user });
        var token = (await minted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/friends");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("friends").GetArrayLength();
    }
}
