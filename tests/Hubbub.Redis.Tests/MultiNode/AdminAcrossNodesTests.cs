using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>
/// docs/admin-api.md across nodes: each node reports into Redis with an expiry, so any node answers for all of them,
/// and a disconnect reaches every node.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class AdminAcrossNodesTests(ThreeNodes nodes) : IClassFixture<ThreeNodes>
{
    /// <summary>Reports are written every 2 s and count for 10 s: every wait here is bounded well above that.</summary>
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    private static string Unique() => Guid.NewGuid().ToString("N")[..10];

    private static async Task<JsonElement> GetAsync(ServerNode node, string path)
    {
        using var response = await node.Http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} on {node.Name}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asks <paramref name="node"/> until <paramref name="done"/> holds for its answer (bounded).</summary>
    private static async Task<JsonElement> PollAsync(ServerNode node, string path, Func<JsonElement, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        JsonElement last;
        do
        {
            last = await GetAsync(node, path);
            if (done(last))
            {
                return last;
            }
            await Task.Delay(100);
        }
        while (clock.Elapsed < Within);
        throw new TimeoutException($"{what}: not seen within {Within.TotalSeconds} s; last answer {last}");
    }

    private static IEnumerable<JsonElement> NodesOf(JsonElement list) => list.GetProperty("nodes").EnumerateArray();

    [Fact]
    public async Task Any_node_lists_every_node_with_its_own_connections()
    {
        var user = "adm-" + Unique();
        await using var onB = await nodes.B.ConnectAsync(user);

        var list = await PollAsync(nodes.A, "/api/admin/nodes",
            l => NodesOf(l).Any(n => n.GetProperty("node").GetString() == "node-b"
                && n.GetProperty("clients").EnumerateArray().Any(c => c.GetProperty("user").GetString() == user)),
            "node A lists the connection held by node B");
        Assert.True(list.GetProperty("cluster").GetBoolean());
        Assert.Equal("node-a", list.GetProperty("node").GetString());
        var names = NodesOf(list).Select(n => n.GetProperty("node").GetString()).ToList();
        Assert.Contains("node-a", names);
        Assert.Contains("node-b", names);
        Assert.Contains("node-c", names);
        Assert.Equal(names.Distinct().Count(), names.Count);
        Assert.Equal(NodesOf(list).Sum(n => n.GetProperty("connections").GetInt32()), list.GetProperty("connections").GetInt32());
        // Only node B holds it.
        Assert.DoesNotContain(NodesOf(list).Where(n => n.GetProperty("node").GetString() != "node-b"),
            n => n.GetProperty("clients").EnumerateArray().Any(c => c.GetProperty("user").GetString() == user));
    }

    [Fact]
    public async Task Channels_add_up_the_subscribers_of_every_node()
    {
        var channel = "public:adm-" + Unique();
        await using var onA = await nodes.A.ConnectAsync("adm-a-" + Unique());
        await using var onC1 = await nodes.C.ConnectAsync("adm-c1-" + Unique());
        await using var onC2 = await nodes.C.ConnectAsync("adm-c2-" + Unique());
        await onA.SubscribeAsync(channel);
        await onC1.SubscribeAsync(channel);
        await onC2.SubscribeAsync(channel);

        var list = await PollAsync(nodes.B, $"/api/admin/channels?prefix={channel}",
            l => l.GetProperty("channels").EnumerateArray().Any(c => c.GetProperty("subscribers").GetInt32() == 3),
            "node B counts the three subscribers on nodes A and C");
        var summary = Assert.Single(list.GetProperty("channels").EnumerateArray());
        Assert.Equal(channel, summary.GetProperty("channel").GetString());
        Assert.Equal(2, summary.GetProperty("nodes").GetInt32());

        await nodes.A.PublishAsync(channel, """{"text":"hello"}""");
        var detail = await PollAsync(nodes.B, $"/api/admin/channels/{channel}",
            d => d.GetProperty("subscribers").GetInt32() == 3, "node B inspects the channel");
        Assert.Equal("hello", Assert.Single(detail.GetProperty("history").EnumerateArray()).GetProperty("data").GetProperty("text").GetString());
        Assert.Equal(3, detail.GetProperty("presence").GetArrayLength()); // presence lives in Redis: every node's members
    }

    [Fact]
    public async Task A_disconnect_asked_on_one_node_closes_the_users_connections_on_the_others()
    {
        var user = "adm-kick-" + Unique();
        await using var onA = await nodes.A.ConnectAsync(user);
        await using var onB = await nodes.B.ConnectAsync(user);
        await using var bystander = await nodes.A.ConnectAsync("adm-stay-" + Unique());

        using var response = await nodes.C.Http.PostAsync(new Uri($"/api/admin/users/{user}/disconnect", UriKind.Relative), null);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, body.GetProperty("closed").GetInt32()); // node C held none of them
        Assert.True(body.GetProperty("nodes").GetInt64() >= 3, body.ToString());
        Assert.Equal((WebSocketCloseStatus)4403, await onA.WaitClosedAsync());
        Assert.Equal((WebSocketCloseStatus)4403, await onB.WaitClosedAsync());
        Assert.Equal("pong", (await bystander.RequestAsync("ping")).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_killed_node_drops_out_of_the_list_once_its_report_expires()
    {
        var name = "node-d-" + Unique();
        await using var d = await ServerNode.StartAsync(name, TestRedis.Endpoint, nodes.KeyPrefix);
        await PollAsync(nodes.A, "/api/admin/nodes", l => NodesOf(l).Any(n => n.GetProperty("node").GetString() == name), "node D appears");
        d.Kill();
        await PollAsync(nodes.A, "/api/admin/nodes", l => NodesOf(l).All(n => n.GetProperty("node").GetString() != name), "node D is gone");
    }
}
