using System.Text.Json;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>PROTOCOL "Channels and permissions": the server decides who subscribes and who publishes.</summary>
public sealed class PermissionTests : IClassFixture<SharedServer>
{
    private readonly TestServer _server;

    public PermissionTests(SharedServer shared) => _server = shared.Server;

    [Fact]
    public async Task Own_user_channel_may_be_subscribed_and_receives_server_publications()
    {
        await using var c = await _server.ConnectAsync("alice");
        await c.SubscribeAsync("user:alice");
        var response = await _server.PublishAsync("""{"channel":"user:alice","type":"notification","data":{"text":"you have a like"}}""");
        response.EnsureSuccessStatusCode();
        var n = await c.NextAsync(f => f.Type() == "notification");
        Assert.Equal("user:alice", n.Channel());
        Assert.False(n.TryGetProperty("from", out _));
    }

    [Fact]
    public async Task Another_users_channel_is_forbidden()
    {
        await using var c = await _server.ConnectAsync("mallory");
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "user:alice" })).ErrorCode());
        Assert.Equal("forbidden", (await c.RequestAsync("history", new { channel = "user:alice" })).ErrorCode());
        Assert.Equal("forbidden", (await c.RequestAsync("typing", new { channel = "user:alice", is_typing = true })).ErrorCode());
        Assert.Equal("forbidden", (await c.RequestAsync("cursor", new { channel = "user:alice", x = 1 })).ErrorCode());
    }

    [Fact]
    public async Task Clients_may_not_publish_on_user_channels_even_their_own()
    {
        await using var c = await _server.ConnectAsync("alice2");
        Assert.Equal("forbidden", (await c.RequestAsync("publish", new { channel = "user:alice2", data = 1 })).ErrorCode());
        Assert.Equal("forbidden", (await c.RequestAsync("publish", new { channel = "user:bob", data = 1 })).ErrorCode());
    }

    [Fact]
    public async Task Undeclared_namespaces_are_forbidden()
    {
        await using var c = await _server.ConnectAsync("eve");
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "secret:plans" })).ErrorCode());
        Assert.Equal("forbidden", (await c.RequestAsync("publish", new { channel = "secret:plans", data = 1 })).ErrorCode());
    }

    [Fact]
    public async Task A_forbidden_request_leaves_the_connection_usable()
    {
        await using var c = await _server.ConnectAsync("eve2");
        await c.RequestAsync("subscribe", new { channel = "user:nobody" });
        await c.SubscribeAsync("public:" + Guid.NewGuid().ToString("N"));
    }

    [Fact]
    public async Task Admins_may_publish_anywhere()
    {
        await using var admin = await _server.ConnectAsync("boss", roles: ["admin"]);
        await using var alice = await _server.ConnectAsync("alice3");
        await alice.SubscribeAsync("user:alice3");
        await admin.OkAsync("publish", new { channel = "user:alice3", data = new { text = "hello from support" } });
        var m = await alice.NextAsync(f => f.Type() == "message");
        Assert.Equal("boss", m.GetProperty("from").GetProperty("user").GetString());
        _ = JsonSerializer.Serialize(m);
    }
}
