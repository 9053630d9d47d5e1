using System.Net.WebSockets;
using Hubbub.Server.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>
/// <c>refresh {token}</c> swaps a connection's token in place (same user only), and a connection whose token runs out
/// without one is closed with 4401 after <c>Hubbub:TokenExpiryGraceSeconds</c>. The server's clock is a fake one (the
/// expiry watch runs on it), started at the real time, so the tokens' signatures and lifetimes still check as usual.
/// Lifetimes are minutes, not hours: moving the clock fires every heartbeat due meanwhile, and hours of them would fill
/// a connection's send queue.
/// </summary>
public sealed class TokenRefreshTests : IClassFixture<TokenRefreshTests.Fixture>
{
    private const int GraceSeconds = 5;
    private readonly TestServer _server;
    private readonly FakeTimeProvider _clock;

    public TokenRefreshTests(Fixture fixture)
    {
        _server = fixture.Server;
        _clock = fixture.Clock;
    }

    /// <summary>One server per class, on a fake clock that starts at the real time.</summary>
    public sealed class Fixture : IDisposable
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        public TestServer Server { get; }

        public Fixture() => Server = new TestServer(new() { ["Hubbub:TokenExpiryGraceSeconds"] = GraceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) }, Clock);

        public void Dispose() => Server.Dispose();
    }

    /// <summary>
    /// A token expiring <paramref name="lifetime"/> after the fake clock's now (which earlier tests moved on; it never
    /// falls behind the real time by more than the run takes, so the token is valid for the server's real-time check).
    /// </summary>
    private string Token(string user, TimeSpan lifetime, string[]? roles = null, string key = TestTokens.Key, string alg = "HS256")
    {
        var claims = new Dictionary<string, object?>
        {
            ["sub"] = user,
            ["exp"] = (_clock.GetUtcNow() + lifetime).ToUnixTimeSeconds(),
        };
        if (roles is not null)
        {
            claims["roles"] = roles;
        }
        return TestTokens.Sign(claims, key, alg);
    }

    private Task<WsClient> ConnectAsync(string token) => WsClient.ConnectAsync(_server.WebSocketUri(token));

    private static long ExpOf(string token) =>
        System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(Pad(token.Split('.')[1]))).RootElement.GetProperty("exp").GetInt64();

    private static string Pad(string b64url)
    {
        var s = b64url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }

    /// <summary>How far the fake clock must move for a token expiring at <paramref name="exp"/> to be past it by <paramref name="beyond"/>.</summary>
    private TimeSpan Until(long exp, TimeSpan beyond) => DateTimeOffset.FromUnixTimeSeconds(exp) + beyond - _clock.GetUtcNow();

    [Fact]
    public async Task Welcome_announces_the_tokens_expiry()
    {
        var token = Token("exp-welcome", TimeSpan.FromMinutes(7));
        await using var c = await ConnectAsync(token);
        Assert.Equal(ExpOf(token), c.Welcome.GetProperty("data").GetProperty("expires_at").GetInt64());
    }

    [Fact]
    public async Task A_token_valid_for_more_than_a_timers_longest_wait_connects_and_is_watched()
    {
        // 400 days: past the ~49 days a timer can be set for, so the watch sets itself in steps.
        var token = Token("exp-long", TimeSpan.FromDays(400));
        await using var c = await ConnectAsync(token);
        Assert.Equal(ExpOf(token), c.Welcome.GetProperty("data").GetProperty("expires_at").GetInt64());
        Assert.Equal("pong", (await c.RequestAsync("ping")).Type());
        await c.OkAsync("refresh", new { token = Token("exp-long", TimeSpan.FromDays(800)) });
        Assert.Equal("pong", (await c.RequestAsync("ping")).Type());
    }

    [Fact]
    public async Task A_connection_whose_token_expires_without_refresh_is_closed_with_4401_after_the_grace_period()
    {
        var token = Token("exp-lapse", TimeSpan.FromMinutes(2));
        await using var c = await ConnectAsync(token);
        await using var bystander = await ConnectAsync(Token("exp-bystander", TimeSpan.FromHours(1)));
        _clock.Advance(Until(ExpOf(token), TimeSpan.FromSeconds(GraceSeconds - 1)));
        Assert.Equal("pong", (await c.RequestAsync("ping")).Type()); // expired, but within the grace period
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal((WebSocketCloseStatus)4401, await c.WaitClosedAsync());
        Assert.Equal("token expired", c.CloseDescription);
        Assert.Equal("pong", (await bystander.RequestAsync("ping")).Type());
    }

    [Fact]
    public async Task Refresh_with_a_new_token_of_the_same_user_keeps_the_connection_and_its_subscriptions_past_the_old_expiry()
    {
        var first = Token("exp-refresh", TimeSpan.FromMinutes(2));
        await using var c = await ConnectAsync(first);
        var channel = "public:refresh-" + Guid.NewGuid().ToString("N");
        await c.SubscribeAsync(channel);
        var second = Token("exp-refresh", TimeSpan.FromMinutes(5));
        var reply = await c.OkAsync("refresh", new { token = second });
        Assert.Equal(ExpOf(second), reply.GetProperty("expires_at").GetInt64());

        _clock.Advance(Until(ExpOf(first), TimeSpan.FromSeconds(GraceSeconds + 60)));
        Assert.Equal("pong", (await c.RequestAsync("ping")).Type()); // the old expiry no longer counts
        (await _server.PublishAsync($$$"""{"channel":"{{{channel}}}","data":{"n":1}}""")).EnsureSuccessStatusCode();
        Assert.Equal(1, (await c.NextAsync(f => f.Type() == "message" && f.Channel() == channel)).Offset()); // still subscribed

        _clock.Advance(Until(ExpOf(second), TimeSpan.FromSeconds(GraceSeconds + 1)));
        Assert.Equal((WebSocketCloseStatus)4401, await c.WaitClosedAsync()); // the new one does
    }

    [Fact]
    public async Task Refresh_with_another_users_token_is_forbidden_and_the_connection_keeps_its_old_token()
    {
        var token = Token("exp-owner", TimeSpan.FromMinutes(2));
        await using var c = await ConnectAsync(token);
        var refused = await c.RequestAsync("refresh", new { token = Token("exp-intruder", TimeSpan.FromMinutes(20)) });
        Assert.Equal("forbidden", refused.ErrorCode());
        Assert.Contains("another user", refused.GetProperty("data").GetProperty("message").GetString(), StringComparison.Ordinal);
        // Still exp-owner's connection: its own channel is its, and it still expires with the first token.
        await c.SubscribeAsync("user:exp-owner");
        Assert.Equal("forbidden", (await c.RequestAsync("subscribe", new { channel = "user:exp-intruder" })).ErrorCode());
        _clock.Advance(Until(ExpOf(token), TimeSpan.FromSeconds(GraceSeconds + 1)));
        Assert.Equal((WebSocketCloseStatus)4401, await c.WaitClosedAsync());
    }

    [Fact]
    public async Task Refresh_updates_roles_for_later_requests_admin_gained_then_lost()
    {
        await using var alice = await ConnectAsync(Token("exp-alice", TimeSpan.FromHours(1)));
        await alice.SubscribeAsync("user:exp-alice");
        await using var bob = await ConnectAsync(Token("exp-bob", TimeSpan.FromHours(12)));
        Assert.Equal("forbidden", (await bob.RequestAsync("publish", new { channel = "user:exp-alice", data = 1 })).ErrorCode());

        await bob.OkAsync("refresh", new { token = Token("exp-bob", TimeSpan.FromHours(12), roles: ["admin"]) });
        await bob.OkAsync("publish", new { channel = "user:exp-alice", data = new { text = "now an admin" } });
        Assert.Equal("exp-bob", (await alice.NextAsync(f => f.Type() == "message")).GetProperty("from").GetProperty("user").GetString());

        await bob.OkAsync("refresh", new { token = Token("exp-bob", TimeSpan.FromHours(12)) });
        Assert.Equal("forbidden", (await bob.RequestAsync("publish", new { channel = "user:exp-alice", data = 2 })).ErrorCode());
    }

    [Fact]
    public async Task Invalid_and_malformed_refreshes_get_clear_errors_and_the_connection_stays_on_its_token()
    {
        var token = Token("exp-hostile", TimeSpan.FromMinutes(2));
        await using var c = await ConnectAsync(token);
        Assert.Equal("unauthorized", (await c.RequestAsync("refresh", new { token = Token("exp-hostile", TimeSpan.FromHours(1), key: "not-the-servers-key-0123456789abcdef") })).ErrorCode());
        Assert.Equal("unauthorized", (await c.RequestAsync("refresh", new { token = TestTokens.For("exp-hostile", lifetime: TimeSpan.FromMinutes(-5)) })).ErrorCode());
        Assert.Equal("unauthorized", (await c.RequestAsync("refresh", new { token = "not.a.jwt" })).ErrorCode());
        Assert.Equal("unauthorized", (await c.RequestAsync("refresh", new { token = Token("exp-hostile", TimeSpan.FromHours(1), alg: "none") })).ErrorCode());
        Assert.Equal("too_large", (await c.RequestAsync("refresh", new { token = new string('a', 9000) })).ErrorCode());
        Assert.Equal("bad_request", (await c.RequestAsync("refresh")).ErrorCode());
        Assert.Equal("bad_request", (await c.RequestAsync("refresh", new { token = 42 })).ErrorCode());
        Assert.Equal("bad_request", (await c.RequestAsync("refresh", new { token = "" })).ErrorCode());
        Assert.Equal("bad_request", (await c.RequestAsync("refresh", "just text")).ErrorCode());
        await c.SendRawAsync("""{"type":"refresh","id":99,"data":{"token":""" ); // not JSON
        Assert.Equal("bad_request", (await c.NextAsync(f => f.Type() == "error" && !f.TryGetProperty("id", out _) || f.Type() == "error" && f.GetProperty("id").ToString() == "99")).ErrorCode());

        Assert.Equal("pong", (await c.RequestAsync("ping")).Type());
        _clock.Advance(Until(ExpOf(token), TimeSpan.FromSeconds(GraceSeconds + 1)));
        Assert.Equal((WebSocketCloseStatus)4401, await c.WaitClosedAsync()); // none of them moved its expiry
    }
}
