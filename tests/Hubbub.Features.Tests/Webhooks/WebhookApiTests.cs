using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Webhooks;

/// <summary>One server for the admin API's tests (at most 3 endpoints, to reach the limit cheaply).</summary>
public sealed class WebhookApiFixture : IAsyncLifetime
{
    public ChatServer Chat { get; private set; } = null!;

    public async Task InitializeAsync() => Chat = await ChatServer.StartAsync("sqlite", new() { ["Webhooks:MaxEndpoints"] = "3" });

    public async Task DisposeAsync() => await Chat.DisposeAsync();
}

/// <summary>The admin API: the whole life of an endpoint, and every refusal of bad or unauthorized input.</summary>
public sealed class WebhookApiTests(WebhookApiFixture fixture) : IClassFixture<WebhookApiFixture>
{
    private const string Url = "https://backend.example/hooks/hubbub";

    private ServerApi Server() => new(fixture.Chat.Server.BaseAddress, TestServer.ApiKey);

    [Fact]
    public async Task An_endpoint_is_created_listed_read_changed_and_deleted()
    {
        using var api = Server();
        var created = await api.PostAsync("/api/webhooks", new { url = Url, events = new[] { "auction.won", "checkin.completed", "auction.won", "my-app.*" }, description = "orders backend" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body.GetProperty("id").GetString()!;
        var secret = created.Body.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.Equal(["auction.won", "checkin.completed", "my-app.*"], Strings(created.Body.GetProperty("events"))); // sorted, duplicates dropped
        Assert.Equal(Url, created.Body.GetProperty("url").GetString());

        var listed = await api.GetAsync("/api/webhooks");
        var mine = listed.Body.GetProperty("webhooks").EnumerateArray().Single(w => w.GetProperty("id").GetString() == id);
        Assert.False(mine.TryGetProperty("secret", out _)); // lists never show secrets
        Assert.Equal(secret, (await api.GetAsync($"/api/webhooks/{id}")).Body.GetProperty("secret").GetString());

        var changed = await api.SendAsync(HttpMethod.Patch, $"/api/webhooks/{id}", """{"events":["*"],"rotate_secret":true}""");
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.Equal(["*"], Strings(changed.Body.GetProperty("events")));
        Assert.NotEqual(secret, changed.Body.GetProperty("secret").GetString());
        Assert.Equal(Url, changed.Body.GetProperty("url").GetString()); // left out: unchanged
        Assert.Equal("orders backend", changed.Body.GetProperty("description").GetString());

        var own = "whsec_" + Convert.ToBase64String(new byte[24]);
        var set = await api.SendAsync(HttpMethod.Patch, $"/api/webhooks/{id}", JsonSerializer.Serialize(new { secret = own, url = "http://10.0.0.5:8080/in" }));
        Assert.Equal(own, set.Body.GetProperty("secret").GetString());
        Assert.Equal("http://10.0.0.5:8080/in", set.Body.GetProperty("url").GetString());

        Assert.Empty((await api.GetAsync($"/api/webhooks/{id}/deliveries")).Body.GetProperty("deliveries").EnumerateArray());
        Assert.Equal(HttpStatusCode.NoContent, (await api.SendAsync(HttpMethod.Delete, $"/api/webhooks/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/webhooks/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.SendAsync(HttpMethod.Delete, $"/api/webhooks/{id}")).Status);
    }

    [Theory]
    [InlineData("""{"events":["*"]}""", 400, "invalid_url")]
    [InlineData("""{"url":"/relative/path","events":["*"]}""", 400, "invalid_url")]
    [InlineData("""{"url":"ftp://backend.example/x","events":["*"]}""", 400, "invalid_url")]
    [InlineData("""{"url":"javascript:alert(1)","events":["*"]}""", 400, "invalid_url")]
    [InlineData("""{"url":"file:///etc/passwd","events":["*"]}""", 400, "invalid_url")]
    [InlineData("""{"url":"https://user:pass@backend.example/x","events":["*"]}""", 400, "invalid_url")]
    [InlineData("""{"url":"https://backend.example/x#frag","events":["*"]}""", 400, "invalid_url")]
    [InlineData("""{"url":"not a url","events":["*"]}""", 400, "invalid_url")]
    [InlineData("""{"url":"https://backend.example/x"}""", 400, "invalid_event")]
    [InlineData("""{"url":"https://backend.example/x","events":[]}""", 400, "invalid_event")]
    [InlineData("""{"url":"https://backend.example/x","events":["auction won"]}""", 400, "invalid_event")]
    [InlineData("""{"url":"https://backend.example/x","events":["**"]}""", 400, "invalid_event")]
    [InlineData("""{"url":"https://backend.example/x","events":["auction.*.won"]}""", 400, "invalid_event")]
    [InlineData("""{"url":"https://backend.example/x","events":[".*"]}""", 400, "invalid_event")]
    [InlineData("""{"url":"https://backend.example/x","events":[""]}""", 400, "invalid_event")]
    [InlineData("""{"url":"https://backend.example/x","events":["*"],"secret":"hunter2"}""", 400, "invalid_secret")]
    [InlineData("""{"url":"https://backend.example/x","events":["*"],"secret":"whsec_c2hvcnQ="}""", 400, "invalid_secret")]
    [InlineData("""{"url":"https://backend.example/x","events":["*"],"secret":"whsec_!!!notbase64!!!"}""", 400, "invalid_secret")]
    [InlineData("""{"url":"https://backend.example/x","events":"*"}""", 400, null)]
    [InlineData("""{"url":"https://backend.example/x","events":["*"],"rotate_secret":true}""", 400, null)]
    [InlineData("""not json""", 400, null)]
    public async Task A_bad_registration_is_refused_with_a_clear_error_and_stores_nothing(string json, int status, string? reason)
    {
        using var api = Server();
        var before = (await api.GetAsync("/api/webhooks")).Body.GetProperty("webhooks").GetArrayLength();

        var answer = await api.SendAsync(HttpMethod.Post, "/api/webhooks", json);

        Assert.Equal(status, (int)answer.Status);
        Assert.False(string.IsNullOrEmpty(answer.Body.GetProperty("message").GetString()));
        Assert.Equal("bad_request", answer.Body.GetProperty("code").GetString());
        if (reason is not null)
        {
            Assert.Equal(reason, answer.Body.GetProperty("reason").GetString());
        }
        Assert.Equal(before, (await api.GetAsync("/api/webhooks")).Body.GetProperty("webhooks").GetArrayLength());
    }

    [Fact]
    public async Task Huge_inputs_are_too_large()
    {
        using var api = Server();
        var longUrl = await api.PostAsync("/api/webhooks", new { url = "https://backend.example/" + new string('a', 2100), events = new[] { "*" } });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, longUrl.Status);
        var manyEvents = await api.PostAsync("/api/webhooks", new { url = Url, events = Enumerable.Range(0, 51).Select(i => $"e{i}.done").ToArray() });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, manyEvents.Status);
        Assert.Equal("too_large", manyEvents.Body.GetProperty("code").GetString());
        var hugeBody = await api.PostAsync("/api/webhooks", new { url = Url, events = Enumerable.Range(0, 5000).Select(i => $"event{i}.done").ToArray() });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, hugeBody.Status); // past Webhooks:MaxBodyBytes, never parsed
        var longType = await api.PostAsync("/api/webhooks", new { url = Url, events = new[] { new string('a', 101) } });
        Assert.Equal(HttpStatusCode.BadRequest, longType.Status);
    }

    [Fact]
    public async Task Event_types_nobody_raises_yet_are_accepted_since_apps_name_their_own()
    {
        using var api = Server();
        var created = await api.PostAsync("/api/webhooks", new { url = Url, events = new[] { "invoice.paid", "Some_App-Event.v2" } });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        await api.SendAsync(HttpMethod.Delete, $"/api/webhooks/{created.Body.GetProperty("id").GetString()}");
    }

    [Fact]
    public async Task Only_the_server_or_an_admin_may_use_the_webhook_api()
    {
        using var anonymous = new ServerApi(fixture.Chat.Server.BaseAddress);
        using var user = new ServerApi(fixture.Chat.Server.BaseAddress, bearer: TestTokens.For(Users.New("mallory")));
        using var wrongKey = new ServerApi(fixture.Chat.Server.BaseAddress, apiKey: "not-the-key");
        var body = new { url = Url, events = new[] { "*" } };
        foreach (var (client, status) in new[] { (anonymous, HttpStatusCode.Unauthorized), (wrongKey, HttpStatusCode.Unauthorized), (user, HttpStatusCode.Forbidden) })
        {
            Assert.Equal(status, (await client.PostAsync("/api/webhooks", body)).Status);
            Assert.Equal(status, (await client.GetAsync("/api/webhooks")).Status);
            Assert.Equal(status, (await client.GetAsync("/api/webhooks/1")).Status);
            Assert.Equal(status, (await client.GetAsync("/api/webhooks/1/deliveries")).Status);
            Assert.Equal(status, (await client.PostAsync("/api/webhooks/deliveries/1/replay", new { })).Status);
            Assert.Equal(status, (await client.SendAsync(HttpMethod.Delete, "/api/webhooks/1")).Status);
        }

        using var admin = new ServerApi(fixture.Chat.Server.BaseAddress, bearer: TestTokens.For(Users.New("root"), roles: ["admin"]));
        var created = await admin.PostAsync("/api/webhooks", body);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(HttpMethod.Delete, $"/api/webhooks/{created.Body.GetProperty("id").GetString()}")).Status);
    }

    [Fact]
    public async Task Unknown_ids_and_bad_queries_are_refused()
    {
        using var api = Server();
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/webhooks/999999")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/webhooks/abc")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/webhooks/-1/deliveries")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync("/api/webhooks/deliveries/999999/replay", new { })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.SendAsync(HttpMethod.Patch, "/api/webhooks/999999", """{"events":["*"]}""")).Status);
        var created = await api.PostAsync("/api/webhooks", new { url = Url, events = new[] { "x.y" } });
        var id = created.Body.GetProperty("id").GetString();
        try
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/api/webhooks/{id}/deliveries?state=lost")).Status);
            Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/api/webhooks/{id}/deliveries?limit=0")).Status);
            Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/api/webhooks/{id}/deliveries?limit=101")).Status);
            Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/api/webhooks/{id}/deliveries?before=zz")).Status);
            var both = await api.SendAsync(HttpMethod.Patch, $"/api/webhooks/{id}", """{"rotate_secret":true,"secret":"whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""");
            Assert.Equal(HttpStatusCode.BadRequest, both.Status);
            Assert.Equal(HttpStatusCode.BadRequest, (await api.SendAsync(HttpMethod.Patch, $"/api/webhooks/{id}", """{"url":"gopher://x"}""")).Status);
        }
        finally
        {
            await api.SendAsync(HttpMethod.Delete, $"/api/webhooks/{id}");
        }
    }

    [Fact]
    public async Task Registering_past_the_limit_is_a_conflict()
    {
        using var api = Server();
        var ids = new List<string>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var created = await api.PostAsync("/api/webhooks", new { url = $"{Url}/{i}", events = new[] { "*" } });
                Assert.Equal(HttpStatusCode.Created, created.Status);
                ids.Add(created.Body.GetProperty("id").GetString()!);
            }
            var refused = await api.PostAsync("/api/webhooks", new { url = Url, events = new[] { "*" } });
            Assert.Equal(HttpStatusCode.Conflict, refused.Status);
            Assert.Equal("too_many_webhooks", refused.Body.GetProperty("reason").GetString());
        }
        finally
        {
            foreach (var id in ids)
            {
                await api.SendAsync(HttpMethod.Delete, $"/api/webhooks/{id}");
            }
        }
    }

    [Fact]
    public async Task The_webhook_api_is_in_the_openapi_document()
    {
        using var anonymous = new ServerApi(fixture.Chat.Server.BaseAddress);
        var paths = (await anonymous.GetAsync("/openapi/v1.json")).Body.GetProperty("paths");
        foreach (var path in new[] { "/api/webhooks", "/api/webhooks/{id}", "/api/webhooks/{id}/deliveries", "/api/webhooks/deliveries/{id}/replay" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"missing {path}");
        }
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
