using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Features.Tests.Auctions;

/// <summary>
/// A real server (SQLite or PostgreSQL) on a fake clock for the wallet and auction tests, with clients for users (long-lived
/// tokens: the clock moves hours), the server (X-Api-Key) and an admin, and the steps every test repeats.
/// </summary>
public abstract class AuctionHouse : IAsyncLifetime
{
    public abstract string Engine { get; }

    public ChatServer Chat { get; private set; } = null!;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    /// <summary>Extra settings of the server.</summary>
    protected virtual Dictionary<string, string?> Settings => new() { ["Kit:PollMs"] = "200" };

    public async Task InitializeAsync() => Chat = await ChatServer.StartAsync(Engine, Settings, Clock);

    public async Task DisposeAsync() => await Chat.DisposeAsync();

    public static string Token(string user, string? name = null, string[]? roles = null) =>
        TestTokens.For(user, name, roles, lifetime: TimeSpan.FromDays(365));

    public ApiClient Api(string user, string? name = null) => new(Chat.Server.BaseAddress, Token(user, name));

    public ApiClient Admin() => new(Chat.Server.BaseAddress, Token(Users.New("admin"), roles: ["admin"]));

    public Features.Tests.Infrastructure.ServerApi Server(string? key = TestServer.ApiKey) => new(Chat.Server.BaseAddress, key);

    public Task<WsClient> ConnectAsync(string user, string? name = null) => WsClient.ConnectAsync(Chat.Server.WebSocketUri(Token(user, name)));

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Grants coins through the server API and fails the test unless it was granted.</summary>
    public async Task<JsonElement> GrantAsync(string user, long amount, string currency = "coins", string? id = null)
    {
        using var server = Server();
        var answer = await server.PostAsync("/api/wallet/grants", new { user, currency, amount, id = id ?? Guid.NewGuid().ToString("N") });
        Assert.True(answer.Status == HttpStatusCode.Created, answer.ToString());
        return answer.Body;
    }

    /// <summary>Creates a live auction sold by <paramref name="seller"/>, ending <paramref name="minutes"/> from the clock's now.</summary>
    public async Task<string> CreateAsync(string seller, int minutes = 10, long startingBid = 10, long minIncrement = 5, long? reserve = null,
        int extendWithin = 0, int extendBy = 0, DateTimeOffset? maxEnd = null, DateTimeOffset? starts = null, string currency = "coins")
    {
        using var api = Api(seller, "Seller " + seller);
        var now = Clock.GetUtcNow();
        var answer = await api.PostAsync("/api/auctions", new Dictionary<string, object?>
        {
            ["title"] = "Lot " + Guid.NewGuid().ToString("N")[..6],
            ["currency"] = currency,
            ["starting_bid"] = startingBid,
            ["min_increment"] = minIncrement,
            ["starts_at"] = Iso(starts ?? now),
            ["ends_at"] = Iso(now.AddMinutes(minutes)),
            ["reserve_price"] = reserve,
            ["extend_within_s"] = extendWithin == 0 ? null : extendWithin,
            ["extend_by_s"] = extendBy == 0 ? null : extendBy,
            ["max_end_at"] = maxEnd is { } m ? Iso(m) : null,
        });
        Assert.True(answer.Status == HttpStatusCode.Created, answer.ToString());
        return answer.Body.GetProperty("id").GetString()!;
    }

    public async Task<Answer> BidAsync(string user, string auction, long amount, string? clientId = null)
    {
        using var api = Api(user, "Bidder " + user);
        return await api.PostAsync($"/api/auctions/{auction}/bids", clientId is null ? new { amount } : new { amount, client_id = clientId });
    }

    /// <summary>A proxy bid: the server bids for <paramref name="user"/> up to <paramref name="max"/> (from <paramref name="amount"/> when given).</summary>
    public async Task<Answer> ProxyBidAsync(string user, string auction, long max, long? amount = null)
    {
        using var api = Api(user, "Bidder " + user);
        return await api.PostAsync($"/api/auctions/{auction}/bids",
            amount is null ? new Dictionary<string, object?> { ["max_amount"] = max } : new Dictionary<string, object?> { ["max_amount"] = max, ["amount"] = amount });
    }

    public async Task<JsonElement> AuctionAsync(string auction)
    {
        using var api = Api(Users.New("viewer"));
        var answer = await api.GetAsync($"/api/auctions/{auction}");
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        return answer.Body;
    }

    /// <summary>The user's wallet as (balance, held) of one currency; 0, 0 when they have none.</summary>
    public async Task<(long Balance, long Held)> WalletAsync(string user, string currency = "coins")
    {
        using var server = Server();
        var body = (await server.GetAsync($"/api/wallet?user={user}")).Body;
        return (body.GetProperty("balances").TryGetProperty(currency, out var b) ? b.GetInt64() : 0,
            body.GetProperty("held").TryGetProperty(currency, out var h) ? h.GetInt64() : 0);
    }

    /// <summary>Waits (bounded) until the end job settled the auction, and returns it.</summary>
    public async Task<JsonElement> SettledAsync(string auction)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var view = await AuctionAsync(auction);
            if (view.GetProperty("settled_at").ValueKind != JsonValueKind.Null)
            {
                return view;
            }
            Assert.True(DateTime.UtcNow < deadline, $"auction {auction} was not settled in time: {view}");
            await Task.Delay(20);
        }
    }

    /// <summary>The consistency check through the server API; fails the test on any difference.</summary>
    public async Task AssertConsistentAsync()
    {
        using var server = Server();
        var check = await server.GetAsync("/api/wallet/check");
        Assert.True(check.Status == HttpStatusCode.OK && check.Body.GetProperty("ok").GetBoolean(), check.ToString());
    }
}

public sealed class SqliteAuctionHouse : AuctionHouse
{
    public override string Engine => "sqlite";
}

public sealed class PostgresAuctionHouse : AuctionHouse
{
    public override string Engine => "postgres";
}
