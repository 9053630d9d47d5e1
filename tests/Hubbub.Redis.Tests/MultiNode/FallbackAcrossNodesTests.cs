using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>
/// The HTTP fallback across three nodes behind a round-robin proxy with no sticky sessions: the stream stays on the
/// node it reached, each POST lands on the next node in turn, and the nodes relay the frames to the stream's node
/// through Redis.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class FallbackAcrossNodesTests(ThreeNodes nodes) : IClassFixture<ThreeNodes>
{
    private static string NewChannel() => $"public:fb{Guid.NewGuid():N}";

    private static string Token(string user) => TestTokens.For(user, $"User {user}", key: ServerNode.SigningKey);

    private LoopbackProxy RoundRobin() =>
        new(nodes.All.Select(n => new Uri($"http://127.0.0.1:{n.Port}/")).ToList());

    private ServerNode NodeOf(SseClient client) =>
        nodes.All.Single(n => n.Name == client.Welcome.GetProperty("data").GetProperty("node").GetString());

    [Fact]
    public async Task Posts_landing_on_other_nodes_reach_the_stream_on_its_own_node()
    {
        await using var proxy = RoundRobin();
        var channel = NewChannel();
        await using var sse = await SseClient.ConnectAsync(proxy.Address, Token("roamer"));
        var home = NodeOf(sse);
        await using var onOther = await nodes.All.First(n => n != home).ConnectAsync("watcher");
        await onOther.SubscribeAsync(channel);

        Assert.Equal(0, (await sse.SubscribeAsync(channel)).GetProperty("offset").GetInt64());
        var offsets = new List<long>();
        for (var i = 1; i <= 6; i++)
        {
            var reply = await sse.OkAsync("publish", new { channel, data = new { i } });
            offsets.Add(reply.GetProperty("offset").GetInt64());
        }

        Assert.Equal([1L, 2, 3, 4, 5, 6], offsets);
        // Seven POSTs, each on a connection of its own, in turn over the three nodes: the two without the stream took some.
        foreach (var other in nodes.All.Where(n => n != home))
        {
            Assert.True(proxy.ForwardedTo(other.Port) >= 2, $"{other.Name} got {proxy.ForwardedTo(other.Port)} connections");
        }
        var mine = await sse.PublicationsAsync(channel, 6);
        Assert.Equal([1L, 2, 3, 4, 5, 6], mine.Select(f => f.Offset()));
        var theirs = await onOther.WaitForPublicationsAsync(channel, 6);
        Assert.Equal("roamer", theirs[0].GetProperty("from").GetProperty("user").GetString());

        // And what another node's client publishes reaches the stream.
        await onOther.OkAsync("publish", new { channel, data = new { i = 7 } });
        Assert.Equal(7, (await sse.PublicationsAsync(channel, 1))[0].Offset());
    }

    [Fact]
    public async Task Refusals_come_back_from_the_streams_node_and_unknown_sessions_are_404_everywhere()
    {
        await using var proxy = RoundRobin();
        await using var sse = await SseClient.ConnectAsync(proxy.Address, Token("owner"));
        var home = NodeOf(sse);
        var elsewhere = nodes.All.First(n => n != home);

        var intruder = await PostAsync(elsewhere, sse.Session, Token("intruder"), """{"type":"ping","id":1}""");
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), intruder);
        var ended = await PostAsync(elsewhere, sse.Session[..17] + "AAAAAAAAAAAAAAAAAAAAAA", Token("owner"), """{"type":"ping"}""");
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), ended);
        var noSuchNode = await PostAsync(elsewhere, "0123456789abcdef." + sse.Session[17..], Token("owner"), """{"type":"ping"}""");
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), noSuchNode);
        var ok = await PostAsync(elsewhere, sse.Session, Token("owner"), """{"type":"ping","id":2}""");
        Assert.Equal(HttpStatusCode.Accepted, ok.Status);
        Assert.Equal("pong", (await sse.NextAsync(f => f.Type() == "pong")).Type());
        Assert.DoesNotContain(sse.Frames, f => f.TryGetProperty("id", out var id) && id.GetInt32() == 1);
    }

    [Fact]
    public async Task A_stream_cut_at_the_proxy_recovers_on_whichever_node_the_new_one_reaches()
    {
        await using var proxy = RoundRobin();
        var channel = NewChannel();
        var first = await SseClient.ConnectAsync(proxy.Address, Token("phoenix"));
        var epoch = (await first.SubscribeAsync(channel)).GetProperty("epoch").GetString();
        await nodes.A.PublishAsync(channel, "{\"n\":1}");
        var seen = (await first.PublicationsAsync(channel, 1))[0].Offset();

        proxy.Drop(refuse: false); // every connection reset, the stream's included
        await first.WaitClosedAsync();
        await first.DisposeAsync();
        await nodes.B.PublishAsync(channel, "{\"n\":2}");
        await nodes.C.PublishAsync(channel, "{\"n\":3}");

        await using var second = await SseClient.ConnectAsync(proxy.Address, Token("phoenix"));
        var reply = await second.SubscribeAsync(channel, new { offset = seen, epoch });
        Assert.True(reply.GetProperty("recovered").GetBoolean());
        var recovered = await second.PublicationsAsync(channel, 2);
        Assert.Equal([2, 3], recovered.Select(f => f.GetProperty("data").GetProperty("n").GetInt32()));
    }

    private static async Task<(HttpStatusCode Status, string Code)> PostAsync(ServerNode node, string session, string token, string body)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.Port}/"), Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/ws/sse/{session}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var code = response.StatusCode == HttpStatusCode.Accepted ? "" : JsonDocument.Parse(text).RootElement.GetProperty("code").GetString()!;
        return (response.StatusCode, code);
    }
}
