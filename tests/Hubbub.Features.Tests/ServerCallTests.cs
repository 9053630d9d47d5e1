using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests;

public sealed class ServerCallFixture : IAsyncLifetime
{
    public ChatServer Chat { get; private set; } = null!;

    public async Task InitializeAsync() => Chat = await ChatServer.StartAsync("sqlite");

    public async Task DisposeAsync() => await Chat.DisposeAsync();
}

/// <summary>
/// Server calls (FEATURES.md "Who may call what"): with X-Api-Key, or a token with role admin, a call acts as the user
/// it names in the body, the path or <c>?user=</c>; without them it is refused.
/// </summary>
public sealed class ServerCallTests(ServerCallFixture fixture) : IClassFixture<ServerCallFixture>
{
    private ChatServer Chat => fixture.Chat;

    private ServerApi Server(string? key = TestServer.ApiKey) => new(Chat.Server.BaseAddress, key);

    [Fact]
    public async Task The_api_key_acts_as_the_user_named_in_the_body_or_the_query()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var server = Server();
        var created = await server.PostAsync("/api/conversations", new { participants = new[] { bob }, user = ada });
        Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
        var id = created.Body.GetProperty("id").GetString()!;
        Assert.Contains(created.Body.GetProperty("participants").EnumerateArray(), p => p.GetProperty("user").GetString() == ada);

        var sent = await server.PostAsync($"/api/conversations/{id}/messages", new { text = "from the backend", user = ada });
        Assert.Equal(HttpStatusCode.Created, sent.Status);
        Assert.Equal(ada, sent.Body.GetProperty("sender").GetProperty("user").GetString());

        // The user's own token sees what the server did as them.
        using var adaApi = Chat.Api(ada);
        var list = await adaApi.GetAsync("/api/conversations");
        Assert.Contains(list.Body.GetProperty("conversations").EnumerateArray(), c => c.GetProperty("id").GetString() == id);
        var asAda = await server.GetAsync($"/api/conversations?user={ada}");
        Assert.Equal(list.Body.GetProperty("conversations").GetArrayLength(), asAda.Body.GetProperty("conversations").GetArrayLength());

        // Acting as ada is being ada: a conversation she is not in stays forbidden.
        var eve = Users.New("eve");
        Assert.Equal(HttpStatusCode.Forbidden, (await server.GetAsync($"/api/conversations/{id}?user={eve}")).Status);
    }

    [Fact]
    public async Task Without_the_key_or_with_a_wrong_one_a_server_call_is_refused()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        foreach (var key in new string?[] { null, "wrong-key", "" })
        {
            using var server = Server(key);
            var answer = await server.PostAsync("/api/conversations", new { participants = new[] { bob }, user = ada });
            Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
            Assert.Equal("unauthorized", answer.Code);
            Assert.Equal(HttpStatusCode.Unauthorized, (await server.GetAsync($"/api/notifications?user={ada}")).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await server.PostAsync("/api/rooms", new { user = ada })).Status);
        }
        using var keyed = Server();
        var nobody = await keyed.PostAsync("/api/conversations", new { participants = new[] { bob } });
        Assert.Equal(HttpStatusCode.BadRequest, nobody.Status); // a server names who it acts for
        var badUser = await keyed.PostAsync("/api/conversations", new { participants = new[] { bob }, user = "not a user id" });
        Assert.Equal(HttpStatusCode.BadRequest, badUser.Status);
    }

    [Fact]
    public async Task A_user_may_not_act_for_another_but_an_admin_may()
    {
        var (ada, bob, root) = (Users.New("ada"), Users.New("bob"), Users.New("root"));
        using var asBob = new ServerApi(Chat.Server.BaseAddress, bearer: TestTokens.For(bob));
        var refused = await asBob.PostAsync("/api/rooms", new { user = ada });
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("forbidden", refused.Code);

        using var asAdmin = new ServerApi(Chat.Server.BaseAddress, bearer: TestTokens.For(root, roles: ["admin"]));
        var room = await asAdmin.PostAsync("/api/rooms", new { user = ada, members = new[] { bob } });
        Assert.Equal(HttpStatusCode.Created, room.Status);
        Assert.Equal(ada, room.Body.GetProperty("owner").GetString());

        // Over the WebSocket the same: an admin connection names data.user, anyone else is refused.
        await using var adminWs = await Chat.Server.ConnectAsync(root, roles: ["admin"]);
        var made = await adminWs.OkAsync("room.create", new { user = bob });
        Assert.Equal(bob, made.GetProperty("owner").GetString());
        await using var bobWs = await Chat.ConnectAsync(bob);
        Assert.Equal("forbidden", (await bobWs.RequestAsync("room.create", new { user = ada })).ErrorCode());
    }

    [Fact]
    public async Task A_server_removing_a_member_named_in_the_path_acts_as_that_member()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        var room = (await adaApi.PostAsync("/api/rooms", new { members = new[] { bob } })).Body.GetProperty("id").GetString();
        using var server = Server();
        var left = await server.SendAsync(HttpMethod.Delete, $"/api/rooms/{room}/members/{bob}");
        Assert.Equal(HttpStatusCode.NoContent, left.Status);
        var members = (await adaApi.GetAsync($"/api/rooms/{room}")).Body.GetProperty("members").EnumerateArray().Select(m => m.GetString());
        Assert.Equal([ada], members);
    }

    [Fact]
    public async Task A_call_naming_two_different_users_in_the_query_and_the_body_is_refused_not_done_for_either()
    {
        // The audit: ?user=a with {"user":"b"} acted for b. Now naming both, differently, is bad_request and nothing happens.
        var (ada, bob, cy) = (Users.New("ada"), Users.New("bob"), Users.New("cy"));
        using var server = Server();
        var id = (await server.PostAsync("/api/conversations", new { participants = new[] { bob, cy }, user = ada })).Body.GetProperty("id").GetString()!;
        var both = await server.PostAsync($"/api/conversations/{id}/messages?user={ada}", new { text = "whose?", user = bob });
        Assert.True(both.Status == HttpStatusCode.BadRequest, both.ToString());
        Assert.Equal("bad_request", both.Code);
        Assert.Contains("?user=", both.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        using var cyApi = Chat.Api(cy);
        Assert.Equal(0, (await cyApi.GetAsync($"/api/conversations/{id}/messages")).Body.GetProperty("messages").GetArrayLength());

        var same = await server.PostAsync($"/api/conversations/{id}/messages?user={bob}", new { text = "mine", user = bob }); // the same user twice is one
        Assert.Equal(HttpStatusCode.Created, same.Status);
        Assert.Equal(bob, same.Body.GetProperty("sender").GetProperty("user").GetString());
        using var adaApi = Chat.Api(ada); // a user's own token naming another in the query and themself in the body: two users too
        Assert.Equal(HttpStatusCode.BadRequest, (await adaApi.PostAsync($"/api/conversations/{id}/messages?user={bob}", new { text = "x", user = ada })).Status);
    }

    [Fact]
    public async Task A_users_token_may_come_as_the_access_token_query_parameter_as_on_the_socket()
    {
        var ada = Users.New("ada");
        using var anonymous = Chat.Anonymous();
        var wallet = await anonymous.GetAsync($"/api/wallet?access_token={TestTokens.For(ada)}");
        Assert.True(wallet.Status == HttpStatusCode.OK, wallet.ToString());
        var notifications = await anonymous.GetAsync($"/api/notifications?access_token={TestTokens.For(ada)}");
        Assert.Equal(HttpStatusCode.OK, notifications.Status);

        // A bad one is refused as a bad header is, with the protocol's body.
        var refused = await anonymous.GetAsync("/api/wallet?access_token=not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal("unauthorized", refused.Body.GetProperty("code").GetString());
    }
}
