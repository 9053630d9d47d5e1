using System.Net.Http.Headers;
using System.Text.Json;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>
/// What a node's SIGKILL must not leave behind on the nodes that survive: an "is typing…" that never ends, a contact
/// who never hears the user went offline, a last seen that stays null. Each test starts processes of its own.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class KilledNodeStatusTests
{
    private static string NewChannel() => $"public:kn{Guid.NewGuid():N}";

    private static string NewUser(string name) => name + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Typing_of_a_user_whose_node_was_killed_ends_on_the_watchers_node_once_within_the_timeout_and_margin()
    {
        // Presence at its default 30 s: the typing must end long before the dead node's presence does.
        var prefix = TestRedis.UniquePrefix();
        var channel = NewChannel();
        await using var survivor = await ServerNode.StartAsync("kt-a", TestRedis.Endpoint, prefix);
        await using var doomed = await ServerNode.StartAsync("kt-c", TestRedis.Endpoint, prefix);
        var typistId = NewUser("typist");
        await using var watcher = await survivor.ConnectAsync(NewUser("watcher"));
        await watcher.SubscribeAsync(channel);
        var typist = await doomed.ConnectAsync(typistId);
        await typist.SubscribeAsync(channel);
        await typist.OkAsync("typing", new { channel, is_typing = true });
        await watcher.WaitForAsync(f => IsTyping(f, typistId, true));

        doomed.Kill();

        // 3 s (Hubbub:TypingTimeoutMs) + the 1 s margin after the true reached node A, with room for a loaded machine.
        await watcher.WaitForAsync(f => IsTyping(f, typistId, false), TimeSpan.FromSeconds(15));
        await Task.Delay(TimeSpan.FromSeconds(2)); // a duplicate would be here by now
        Assert.Single(watcher.Frames, f => IsTyping(f, typistId, false));
        Assert.DoesNotContain(watcher.Frames, f => WsClient.Type(f) == "presence_leave"); // it was not the expiry that ended it
        typist.Abort();
        await typist.DisposeAsync();
    }

    [Fact]
    public async Task Contacts_hear_offline_once_and_last_seen_is_set_when_the_killed_nodes_presence_expires()
    {
        Assert.True(await TestPostgres.DatabaseAsync() is not null,
            "status across nodes needs shared durable state: run through ./test.sh, which sets HUBBUB_TEST_POSTGRES");
        const int ttlSeconds = 2;
        var prefix = TestRedis.UniquePrefix();
        await using var a = await ServerNode.StartAsync("ks-a", TestRedis.Endpoint, prefix, ttlSeconds);
        await using var b = await ServerNode.StartAsync("ks-b", TestRedis.Endpoint, prefix, ttlSeconds);
        await using var doomed = await ServerNode.StartAsync("ks-c", TestRedis.Endpoint, prefix, ttlSeconds);
        var ada = NewUser("ada");
        var bob = NewUser("bob");
        await using var bobOnA = await a.ConnectAsync(bob);
        await bobOnA.SubscribeAsync($"user:{bob}");
        var connectedAt = DateTimeOffset.UtcNow;
        var adaOnC = await doomed.ConnectAsync(ada); // her only connection
        await adaOnC.OkAsync("chat.create", new { participants = new[] { bob } }); // now they are contacts
        Assert.True((await StatusAsync(b, ada, bob)).GetProperty("is_online").GetBoolean());

        doomed.Kill();
        var killedAt = DateTimeOffset.UtcNow;

        // Expiry (2 s) plus a sweep interval (a third of it), with room for a loaded machine.
        var offline = await bobOnA.WaitForAsync(f => IsStatus(f, ada, online: false), TimeSpan.FromSeconds(ttlSeconds * 10));
        var announced = offline.GetProperty("data").GetProperty("last_seen").GetDateTimeOffset();
        // Last seen is when the dead node last refreshed her presence: after she connected, not after the kill.
        Assert.InRange(announced, connectedAt.AddSeconds(-1), killedAt.AddSeconds(1));
        foreach (var node in new[] { a, b })
        {
            var status = await StatusAsync(node, ada, bob);
            Assert.False(status.GetProperty("is_online").GetBoolean());
            Assert.Equal(announced, status.GetProperty("last_seen").GetDateTimeOffset());
        }
        await Task.Delay(TimeSpan.FromSeconds(ttlSeconds)); // three more sweeps on each survivor: none announces again
        Assert.Single(bobOnA.Frames, f => IsStatus(f, ada, online: false));
        adaOnC.Abort();
        await adaOnC.DisposeAsync();
    }

    private static bool IsTyping(JsonElement frame, string user, bool typing) =>
        WsClient.Type(frame) == "typing"
        && frame.GetProperty("data").GetProperty("user").GetString() == user
        && frame.GetProperty("data").GetProperty("is_typing").GetBoolean() == typing;

    private static bool IsStatus(JsonElement frame, string user, bool online) =>
        WsClient.Type(frame) == "status"
        && frame.GetProperty("data").GetProperty("user").GetString() == user
        && frame.GetProperty("data").GetProperty("is_online").GetBoolean() == online;

    private static async Task<JsonElement> StatusAsync(ServerNode node, string user, string asker)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/users/{user}/status");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(asker, asker, key: ServerNode.SigningKey));
        using var response = await node.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.Clone();
    }
}

/// <summary>Typing between live nodes: the typist's node ends it, and the watcher's node adds no second end.</summary>
[Collection(MultiNodeCollection.Name)]
public sealed class TypingAcrossNodesTests(ThreeNodes nodes) : IClassFixture<ThreeNodes>
{
    [Fact]
    public async Task Typing_on_a_live_node_reaches_another_nodes_watcher_with_exactly_one_automatic_false()
    {
        var channel = $"public:ta{Guid.NewGuid():N}";
        var typistId = "typist" + Guid.NewGuid().ToString("N")[..8];
        await using var watcher = await nodes.A.ConnectAsync("watcher" + Guid.NewGuid().ToString("N")[..8]);
        await watcher.SubscribeAsync(channel);
        await using var typist = await nodes.C.ConnectAsync(typistId);
        await typist.SubscribeAsync(channel);

        await typist.OkAsync("typing", new { channel, is_typing = true });
        await watcher.WaitForAsync(f => IsTyping(f, typistId, false), TimeSpan.FromSeconds(15));
        // Past the watcher's node's own expiry (3 s + 1 s after the true) and more: the typist's node's false was the one.
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Single(watcher.Frames, f => IsTyping(f, typistId, true));
        Assert.Single(watcher.Frames, f => IsTyping(f, typistId, false));
    }

    [Fact]
    public async Task Typing_stopped_by_the_typist_reaches_another_nodes_watcher_once()
    {
        var channel = $"public:ta{Guid.NewGuid():N}";
        var typistId = "typist" + Guid.NewGuid().ToString("N")[..8];
        await using var watcher = await nodes.B.ConnectAsync("watcher" + Guid.NewGuid().ToString("N")[..8]);
        await watcher.SubscribeAsync(channel);
        await using var typist = await nodes.C.ConnectAsync(typistId);
        await typist.SubscribeAsync(channel);

        await typist.OkAsync("typing", new { channel, is_typing = true });
        await watcher.WaitForAsync(f => IsTyping(f, typistId, true));
        await typist.OkAsync("typing", new { channel, is_typing = false });
        await watcher.WaitForAsync(f => IsTyping(f, typistId, false));
        await Task.Delay(TimeSpan.FromSeconds(5)); // past both timers

        Assert.Single(watcher.Frames, f => IsTyping(f, typistId, false));
    }

    private static bool IsTyping(JsonElement frame, string user, bool typing) =>
        WsClient.Type(frame) == "typing"
        && frame.GetProperty("data").GetProperty("user").GetString() == user
        && frame.GetProperty("data").GetProperty("is_typing").GetBoolean() == typing;
}
