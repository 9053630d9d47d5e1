using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Api;

/// <summary>docs/admin-api.md on one node (no Redis): who may call it, what it answers, and what it refuses.</summary>
public sealed class AdminApiTests : IClassFixture<SharedServer>
{
    private static readonly string AdminToken = TestTokens.For("ops-admin", "Olive Ops", ["admin"]);
    private static readonly string MemberToken = TestTokens.For("ops-member", "Mo Member");

    private readonly TestServer _server;

    public AdminApiTests(SharedServer shared) => _server = shared.Server;

    private static string Unique() => Guid.NewGuid().ToString("N")[..12];

    private enum Caller { Nobody, WrongKey, Key, Member, Admin, MemberWithKey }

    private async Task<(HttpStatusCode Status, JsonElement Body, string Raw)> SendAsync(HttpMethod method, string path,
        Caller caller = Caller.Key, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        if (caller is Caller.Key or Caller.MemberWithKey)
        {
            request.Headers.Add("X-Api-Key", TestServer.ApiKey);
        }
        if (caller is Caller.WrongKey)
        {
            request.Headers.Add("X-Api-Key", "not-the-key");
        }
        if (caller is Caller.Member or Caller.MemberWithKey or Caller.Admin)
        {
            request.Headers.Authorization = new("Bearer", caller == Caller.Admin ? AdminToken : MemberToken);
        }
        using var response = await _server.Http.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, raw.Length == 0 ? default : JsonDocument.Parse(raw).RootElement.Clone(), raw);
    }

    private Task<(HttpStatusCode Status, JsonElement Body, string Raw)> GetAsync(string path, Caller caller = Caller.Key) =>
        SendAsync(HttpMethod.Get, path, caller);

    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "/api/admin/nodes" },
        { "GET", "/api/admin/channels" },
        { "GET", "/api/admin/channels/public:lobby" },
        { "POST", "/api/admin/users/nobody-here/disconnect" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Only_the_key_or_an_admin_token_may_call_it(string method, string path)
    {
        var verb = new HttpMethod(method);
        foreach (var (caller, status, code) in new[]
        {
            (Caller.Nobody, HttpStatusCode.Unauthorized, "unauthorized"),
            (Caller.WrongKey, HttpStatusCode.Unauthorized, "unauthorized"),
            (Caller.Member, HttpStatusCode.Forbidden, "forbidden"),
            // A token is judged alone: a member's token does not become an admin's with the key beside it.
            (Caller.MemberWithKey, HttpStatusCode.Forbidden, "forbidden"),
        })
        {
            var refused = await SendAsync(verb, path, caller);
            Assert.True(refused.Status == status, $"{caller}: {refused.Status} {refused.Raw}");
            Assert.Equal(code, refused.Body.GetProperty("code").GetString());
        }
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(verb, path, Caller.Key)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(verb, path, Caller.Admin)).Status);
    }

    [Fact]
    public async Task Nodes_lists_this_node_with_its_connections_and_counts()
    {
        var user = "ops-ada-" + Unique();
        await using var ada = await _server.ConnectAsync(user, "Ada <b>Lovelace</b>");
        await ada.SubscribeAsync("public:" + Unique());
        await ada.SubscribeAsync("public:" + Unique());

        var (status, body, _) = await GetAsync("/api/admin/nodes");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("cluster").GetBoolean());
        var node = Assert.Single(body.GetProperty("nodes").EnumerateArray());
        Assert.Equal(body.GetProperty("node").GetString(), node.GetProperty("node").GetString());
        Assert.Equal(ada.Welcome.GetProperty("data").GetProperty("node").GetString(), node.GetProperty("node").GetString());
        Assert.True(node.GetProperty("connections").GetInt32() >= 1);
        Assert.True(node.GetProperty("subscriptions").GetInt32() >= 2);
        Assert.True(node.GetProperty("channels").GetInt32() >= 2);
        var client = node.GetProperty("clients").EnumerateArray().Single(c => c.GetProperty("user").GetString() == user);
        Assert.Equal(ada.Welcome.GetProperty("data").GetProperty("client").GetString(), client.GetProperty("id").GetString());
        Assert.Equal("Ada <b>Lovelace</b>", client.GetProperty("name").GetString());
        Assert.Equal(2, client.GetProperty("subscriptions").GetInt32());
        Assert.True(client.GetProperty("connected_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        // Times as everywhere else: UTC ending in Z, to the millisecond (were "+00:00" with seven fractional digits).
        foreach (var time in new[] { client.GetProperty("connected_at"), node.GetProperty("started_at"), node.GetProperty("reported_at") })
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$", time.GetString());
        }
    }

    [Fact]
    public async Task The_publish_rate_follows_publications()
    {
        var channel = "public:" + Unique();
        var before = (await GetAsync("/api/admin/nodes")).Body.GetProperty("nodes")[0].GetProperty("publications_total").GetInt64();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _server.PublishAsync(JsonSerializer.Serialize(new { channel, data = i }))).StatusCode);
        }
        // Sampled once a second: poll (bounded) until a sample after the publications is in.
        JsonElement node = default;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            node = (await GetAsync("/api/admin/nodes")).Body.GetProperty("nodes")[0];
            if (node.GetProperty("publish_rate").GetDouble() > 0)
            {
                break;
            }
            await Task.Delay(200);
        }
        Assert.True(node.GetProperty("publish_rate").GetDouble() > 0, node.ToString());
        Assert.True(node.GetProperty("publications_total").GetInt64() >= before + 20);
    }

    [Fact]
    public async Task Channels_are_listed_most_subscribed_first_by_prefix_and_limit()
    {
        var prefix = "public:adm" + Unique();
        await using var a = await _server.ConnectAsync("ops-a-" + Unique());
        await using var b = await _server.ConnectAsync("ops-b-" + Unique());
        await a.SubscribeAsync(prefix + "-busy");
        await b.SubscribeAsync(prefix + "-busy");
        await b.SubscribeAsync(prefix + "-quiet");

        var (status, body, _) = await GetAsync($"/api/admin/channels?prefix={prefix}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("total").GetInt32());
        var channels = body.GetProperty("channels").EnumerateArray().ToList();
        Assert.Equal([prefix + "-busy", prefix + "-quiet"], channels.Select(c => c.GetProperty("channel").GetString()));
        Assert.Equal([2, 1], channels.Select(c => c.GetProperty("subscribers").GetInt32()));
        Assert.All(channels, c => Assert.Equal(1, c.GetProperty("nodes").GetInt32()));

        var first = (await GetAsync($"/api/admin/channels?prefix={prefix}&limit=1")).Body;
        Assert.Equal(2, first.GetProperty("total").GetInt32());
        Assert.Equal(prefix + "-busy", Assert.Single(first.GetProperty("channels").EnumerateArray()).GetProperty("channel").GetString());

        // Unsubscribed channels leave the list.
        await b.OkAsync("unsubscribe", new { channel = prefix + "-quiet" });
        var after = (await GetAsync($"/api/admin/channels?prefix={prefix}")).Body;
        Assert.Equal(1, after.GetProperty("total").GetInt32());

        var none = (await GetAsync("/api/admin/channels?prefix=nothing:matches-" + Unique())).Body;
        Assert.Equal(0, none.GetProperty("total").GetInt32());
        Assert.Empty(none.GetProperty("channels").EnumerateArray());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=-1")]
    [InlineData("limit=1001")]
    [InlineData("limit=99999999999999999999")]
    [InlineData("limit=ten")]
    [InlineData("limit=%2B5")]
    [InlineData("prefix=%3Cscript%3E")]
    [InlineData("prefix=a%20b")]
    [InlineData("prefix=%E2%98%83")]
    public async Task Bad_list_parameters_are_400_with_a_readable_message(string query)
    {
        var (status, body, raw) = await GetAsync("/api/admin/channels?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("bad_request", body.GetProperty("code").GetString());
        Assert.Contains('\'', body.GetProperty("message").GetString()!);
        // The body is written for people: quotes as quotes, not \u0027 (issue 21).
        Assert.DoesNotContain("\\u0027", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_too_long_prefix_is_400()
    {
        var (status, _, _) = await GetAsync("/api/admin/channels?prefix=public:" + new string('x', 300));
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task A_channel_shows_its_subscribers_latest_history_and_presence()
    {
        var channel = "public:insp-" + Unique();
        var user = "ops-ada-" + Unique();
        await using var ada = await _server.ConnectAsync(user, "Ada");
        await ada.SubscribeAsync(channel);
        for (var i = 1; i <= 3; i++)
        {
            await _server.PublishAsync(JsonSerializer.Serialize(new { channel, type = "note", data = new { n = i, html = "<i>x</i>" } }));
        }
        await ada.OkAsync("publish", new { channel, data = new { text = "from ada" } });

        var (status, body, _) = await GetAsync($"/api/admin/channels/{channel}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(channel, body.GetProperty("channel").GetString());
        Assert.Equal(1, body.GetProperty("subscribers").GetInt32());
        Assert.Equal(4, body.GetProperty("offset").GetInt64());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("epoch").GetString()));
        var history = body.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal([1L, 2L, 3L, 4L], history.Select(p => p.GetProperty("offset").GetInt64()));
        Assert.Equal("note", history[0].GetProperty("type").GetString());
        Assert.Equal("<i>x</i>", history[0].GetProperty("data").GetProperty("html").GetString());
        Assert.False(history[0].TryGetProperty("from", out _));
        Assert.Equal(user, history[3].GetProperty("from").GetProperty("user").GetString());
        var member = Assert.Single(body.GetProperty("presence").EnumerateArray());
        Assert.Equal(user, member.GetProperty("user").GetString());
        Assert.Equal("Ada", member.GetProperty("name").GetString());

        var latest = (await GetAsync($"/api/admin/channels/{channel}?limit=2", Caller.Admin)).Body;
        Assert.Equal([3L, 4L], latest.GetProperty("history").EnumerateArray().Select(p => p.GetProperty("offset").GetInt64()));

        // A channel nobody used is empty, not an error.
        var empty = (await GetAsync("/api/admin/channels/public:never-" + Unique())).Body;
        Assert.Equal(0, empty.GetProperty("subscribers").GetInt32());
        Assert.Empty(empty.GetProperty("history").EnumerateArray());
    }

    [Theory]
    [InlineData("nonamespace", HttpStatusCode.BadRequest)]
    [InlineData("public:a%20b", HttpStatusCode.BadRequest)]
    [InlineData("public:%3Cscript%3E", HttpStatusCode.BadRequest)]
    [InlineData("Public:x", HttpStatusCode.BadRequest)]
    [InlineData("nosuchns:x", HttpStatusCode.NotFound)]
    [InlineData("public:x?limit=0", HttpStatusCode.BadRequest)]
    [InlineData("public:x?limit=101", HttpStatusCode.BadRequest)]
    [InlineData("public:x?limit=999999999999", HttpStatusCode.BadRequest)]
    public async Task Bad_or_unknown_channels_are_refused(string path, HttpStatusCode expected)
    {
        var (status, body, raw) = await GetAsync("/api/admin/channels/" + path);
        Assert.True(status == expected, raw);
        Assert.Equal(expected == HttpStatusCode.NotFound ? "not_found" : "bad_request", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_very_long_channel_name_is_400()
    {
        var (status, _, _) = await GetAsync("/api/admin/channels/public:" + new string('x', 5000));
        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Disconnect_closes_every_connection_of_the_user_with_4403_and_no_other()
    {
        var user = "ops-kick|" + Unique();
        await using var tab1 = await _server.ConnectAsync(user);
        await using var tab2 = await _server.ConnectAsync(user);
        await using var bystander = await _server.ConnectAsync("ops-stay-" + Unique());

        var (status, body, raw) = await SendAsync(HttpMethod.Post, $"/api/admin/users/{Uri.EscapeDataString(user)}/disconnect", Caller.Admin);
        Assert.True(status == HttpStatusCode.OK, raw);
        Assert.Equal(user, body.GetProperty("user").GetString());
        Assert.Equal(2, body.GetProperty("closed").GetInt32());
        Assert.Equal(1, body.GetProperty("nodes").GetInt64());
        Assert.Equal((WebSocketCloseStatus)4403, await tab1.WaitClosedAsync());
        Assert.Equal((WebSocketCloseStatus)4403, await tab2.WaitClosedAsync());
        Assert.Equal("disconnected by an operator", tab1.CloseDescription);
        Assert.Equal("pong", (await bystander.RequestAsync("ping")).GetProperty("type").GetString());

        var nodes = (await GetAsync("/api/admin/nodes")).Body.GetProperty("nodes")[0].GetProperty("clients");
        Assert.DoesNotContain(nodes.EnumerateArray(), c => c.GetProperty("user").GetString() == user);

        // Nobody connected: nothing closed, no error.
        var again = (await SendAsync(HttpMethod.Post, $"/api/admin/users/{Uri.EscapeDataString(user)}/disconnect")).Body;
        Assert.Equal(0, again.GetProperty("closed").GetInt32());
    }

    [Theory]
    [InlineData("a%20b")]
    [InlineData("%3Cscript%3E")]
    [InlineData("%E2%98%83")]
    public async Task Disconnect_refuses_a_bad_user_id(string id)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, $"/api/admin/users/{id}/disconnect");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("bad_request", body.GetProperty("code").GetString());
        var (longStatus, _, _) = await SendAsync(HttpMethod.Post, $"/api/admin/users/{new string('u', 129)}/disconnect");
        Assert.Equal(HttpStatusCode.BadRequest, longStatus);
    }

    [Fact]
    public async Task An_admin_token_publishes_as_the_server_and_a_member_token_may_not()
    {
        var channel = "public:srv-" + Unique();
        await using var ada = await _server.ConnectAsync("ops-ada-" + Unique());
        await ada.SubscribeAsync(channel);
        var json = JsonSerializer.Serialize(new { channel, type = "announcement", data = new { text = "maintenance at 5" } });

        var (status, body, raw) = await SendAsync(HttpMethod.Post, "/api/publish", Caller.Admin, json);
        Assert.True(status == HttpStatusCode.OK, raw);
        Assert.Equal(1, body.GetProperty("offset").GetInt64());
        var received = await ada.NextAsync(f => f.Type() == "announcement");
        Assert.False(received.TryGetProperty("from", out _)); // the server's, not the admin's
        Assert.Equal("maintenance at 5", received.GetProperty("data").GetProperty("text").GetString());

        // A member's token is no key: "a wrong or missing key gets 401" (PROTOCOL.md); beside a valid key it is judged alone.
        var refused = await SendAsync(HttpMethod.Post, "/api/publish", Caller.Member, json);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal("unauthorized", refused.Body.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, "/api/publish", Caller.MemberWithKey, json)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, "/api/publish", Caller.Nobody, json)).Status);
    }

    [Fact]
    public async Task Error_bodies_write_quotes_as_quotes()
    {
        // Before issue 21 the default encoder wrote every ' of a message as \u0027, which curl shows as is.
        var (status, body, raw) = await SendAsync(HttpMethod.Post, "/api/publish", Caller.Key, """{"channel":"public:x"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("'channel'", raw, StringComparison.Ordinal);
        Assert.Contains("'channel'", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
