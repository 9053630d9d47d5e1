using System.Net.Http.Headers;
using System.Text.Json;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>Messaging's online status counts a user's tabs on every node, not only the node asked.</summary>
[Collection(MultiNodeCollection.Name)]
public sealed class OnlineStatusAcrossNodesTests(ThreeNodes nodes) : IClassFixture<ThreeNodes>
{
    [Fact]
    public async Task A_user_with_tabs_on_two_nodes_stays_online_until_the_last_one_closes()
    {
        Assert.True(await TestPostgres.DatabaseAsync() is not null,
            "status across nodes needs shared durable state: run through ./test.sh, which sets HUBBUB_TEST_POSTGRES");
        var ada = "ada" + Guid.NewGuid().ToString("N")[..8];
        var bob = "bob" + Guid.NewGuid().ToString("N")[..8];

        await using var bobOnC = await nodes.C.ConnectAsync(bob);
        await bobOnC.SubscribeAsync($"user:{bob}");
        var adaOnA = await nodes.A.ConnectAsync(ada);
        await adaOnA.OkAsync("chat.create", new { participants = new[] { bob } }); // now they are contacts
        var adaOnB = await nodes.B.ConnectAsync(ada);

        // Asked on a node where ada has no connection at all, she is online.
        Assert.True(await IsOnlineAsync(nodes.C, ada, bob));

        await adaOnA.DisposeAsync();
        Assert.True(await IsOnlineAsync(nodes.C, ada, bob), "ada still has a tab on node B");

        await adaOnB.DisposeAsync();
        var offline = await bobOnC.WaitForAsync(f => IsStatus(f, ada, online: false));
        Assert.False(offline.GetProperty("data").GetProperty("last_seen").ValueKind == JsonValueKind.Null);
        Assert.False(await IsOnlineAsync(nodes.C, ada, bob));
        // Exactly one offline: closing the tab on A announced nothing.
        Assert.Single(bobOnC.Frames, f => IsStatus(f, ada, online: false));
    }

    private static bool IsStatus(JsonElement frame, string user, bool online) =>
        WsClient.Type(frame) == "status"
        && frame.GetProperty("data").GetProperty("user").GetString() == user
        && frame.GetProperty("data").GetProperty("is_online").GetBoolean() == online;

    private static async Task<bool> IsOnlineAsync(ServerNode node, string user, string asker)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/users/{user}/status");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(asker, asker, key: ServerNode.SigningKey));
        using var response = await node.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("is_online").GetBoolean();
    }
}
