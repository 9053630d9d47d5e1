using System.Net;

namespace Hubbub.Features.Tests.Auctions;

public sealed class HostileInputSqliteTests(SqliteAuctionHouse house) : HostileInputTests(house), IClassFixture<SqliteAuctionHouse>;

public sealed class HostileInputPostgresTests(PostgresAuctionHouse house) : HostileInputTests(house), IClassFixture<PostgresAuctionHouse>;

/// <summary>Bad, hostile, oversized and unauthorized input to every wallet and auction endpoint and command: a clear error, nothing changed.</summary>
public abstract class HostileInputTests(AuctionHouse house)
{
    private static readonly string[] BadAmounts = ["-5", "0", "1.5", "1e30", "\"10\"", "null", "9223372036854775808", "1000000000001", "true"];

    [Fact]
    public async Task Bad_amounts_and_currencies_are_refused_everywhere_and_change_nothing()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await house.GrantAsync(ada, 100);
        var auction = await house.CreateAsync(Users.New("seller"));
        using var server = house.Server();
        using var api = house.Api(ada);
        foreach (var amount in BadAmounts)
        {
            var grant = await server.SendAsync(HttpMethod.Post, "/api/wallet/grants", $$"""{"user":"{{ada}}","currency":"coins","amount":{{amount}},"id":"g{{amount}}"}""");
            Assert.True(grant.Status == HttpStatusCode.BadRequest, $"{amount}: {grant}");
            Assert.Equal("bad_request", grant.Code);
            var transfer = await api.PostRawAsync("/api/wallet/transfers", $$"""{"to":"{{bob}}","currency":"coins","amount":{{amount}},"id":"t"}""");
            Assert.True(transfer.Status == HttpStatusCode.BadRequest, $"{amount}: {transfer}");
            var bid = await api.PostRawAsync($"/api/auctions/{auction}/bids", $$"""{"amount":{{amount}}}""");
            Assert.True(bid.Status == HttpStatusCode.BadRequest, $"{amount}: {bid}");
        }
        foreach (var currency in new[] { "", "a.b", "a/b", "coins!", new string('c', 17), "ü", "co ins", "U$D" })
        {
            var grant = await server.PostAsync("/api/wallet/grants", new { user = ada, currency, amount = 5, id = "c" + currency });
            Assert.True(grant.Status == HttpStatusCode.BadRequest, $"'{currency}': {grant}");
        }
        foreach (var currency in new[] { "USD", "Gold-2" }) // letters of either case, digits, _ and -: a currency of its own
        {
            var grant = await server.PostAsync("/api/wallet/grants", new { user = ada, currency, amount = 7, id = "ok" + currency });
            Assert.True(grant.Status == HttpStatusCode.Created, $"'{currency}': {grant}");
            Assert.Equal((7L, 0L), await house.WalletAsync(ada, currency));
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await server.PostAsync("/api/wallet/grants", new { user = "not a user", currency = "coins", amount = 5, id = "u" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.PostAsync("/api/wallet/grants", new { user = ada, currency = "coins", amount = 5 })).Status); // no id
        Assert.Equal(HttpStatusCode.BadRequest, (await server.PostAsync("/api/wallet/grants", new { user = ada, currency = "coins", amount = 5, id = new string('i', 129) })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/api/wallet/transfers", new { to = ada, currency = "coins", amount = 5, id = "self" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostRawAsync("/api/wallet/transfers", "not json")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostRawAsync("/api/wallet/transfers", "[]")).Status);
        var huge = await api.PostRawAsync("/api/wallet/transfers", $$"""{"to":"{{bob}}","currency":"coins","amount":1,"id":"{{new string('x', 20_000)}}"}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.Status);
        Assert.Equal((100L, 0L), await house.WalletAsync(ada));
        Assert.Equal((0L, 0L), await house.WalletAsync(bob));
        Assert.Equal(0, (await house.AuctionAsync(auction)).GetProperty("bid_count").GetInt64());

        await using var ws = await house.ConnectAsync(ada);
        Assert.Equal("bad_request", (await ws.RequestAsync("auction.bid", new { auction, amount = -1 })).ErrorCode());
        Assert.Equal("bad_request", (await ws.RequestAsync("auction.bid", new { auction, amount = 1.5 })).ErrorCode());
        Assert.Equal("bad_request", (await ws.RequestAsync("auction.bid", new { amount = 10 })).ErrorCode());
        Assert.Equal("not_found", (await ws.RequestAsync("auction.bid", new { auction = "nope", amount = 10 })).ErrorCode());
        Assert.Equal("bad_request", (await ws.RequestAsync("wallet.transfer", new { to = bob, currency = "U$D", amount = 1, id = "x" })).ErrorCode());
        Assert.Equal("forbidden", (await ws.RequestAsync("auction.bid", new { auction, amount = 10, user = bob })).ErrorCode()); // not for another user
    }

    [Fact]
    public async Task Bad_auctions_are_refused_with_the_field_named()
    {
        var seller = Users.New("seller");
        using var api = house.Api(seller);
        var now = house.Clock.GetUtcNow();
        object Auction(Action<Dictionary<string, object?>> change)
        {
            var body = new Dictionary<string, object?>
            {
                ["title"] = "Lamp", ["currency"] = "coins", ["starting_bid"] = 10, ["min_increment"] = 1,
                ["starts_at"] = AuctionHouse.Iso(now), ["ends_at"] = AuctionHouse.Iso(now.AddHours(1)),
            };
            change(body);
            return body;
        }
        var cases = new (string Field, Action<Dictionary<string, object?>> Change, HttpStatusCode Status)[]
        {
            ("title", b => b["title"] = null, HttpStatusCode.BadRequest),
            ("title", b => b["title"] = new string('t', 201), HttpStatusCode.RequestEntityTooLarge),
            ("description", b => b["description"] = new string('d', 4001), HttpStatusCode.RequestEntityTooLarge),
            ("currency", b => b["currency"] = "E.U.R", HttpStatusCode.BadRequest),
            ("starting_bid", b => b["starting_bid"] = 0, HttpStatusCode.BadRequest),
            ("min_increment", b => b["min_increment"] = -1, HttpStatusCode.BadRequest),
            ("reserve_price", b => b["reserve_price"] = 0, HttpStatusCode.BadRequest),
            ("ends_at", b => b["ends_at"] = "tomorrow", HttpStatusCode.BadRequest),
            ("ends_at", b => b["ends_at"] = "2030-13-01T00:00:00Z", HttpStatusCode.BadRequest),
            ("ends_at", b => b["ends_at"] = null, HttpStatusCode.BadRequest),
            ("ends_at", b => b["ends_at"] = AuctionHouse.Iso(now.AddMinutes(-1)), HttpStatusCode.BadRequest),
            ("ends_at", b => b["starts_at"] = AuctionHouse.Iso(now.AddHours(2)), HttpStatusCode.BadRequest),
            ("days", b => b["ends_at"] = AuctionHouse.Iso(now.AddDays(40)), HttpStatusCode.BadRequest),
            ("starts_at", b => b["starts_at"] = "1999-01-01T00:00:00Z", HttpStatusCode.BadRequest),
            ("extend_within_s", b => b["extend_within_s"] = -3, HttpStatusCode.BadRequest),
            ("extend_by_s", b => b["extend_by_s"] = 0, HttpStatusCode.BadRequest),
            ("max_end_at", b => b["max_end_at"] = AuctionHouse.Iso(now.AddMinutes(30)), HttpStatusCode.BadRequest),
        };
        foreach (var (field, change, status) in cases)
        {
            var answer = await api.PostAsync("/api/auctions", Auction(change));
            Assert.True(answer.Status == status, $"{field}: {answer}");
            Assert.Contains(field, answer.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/auctions", Auction(_ => { }))).Status);

        // Unknown ids, bad filters and cursors, and calls without credentials.
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/auctions/0000000000000000")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/auctions/0000000000000000/bids")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync("/api/auctions/0000000000000000/cancel", new { })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/auctions/" + new string('a', 65))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/auctions?state=open")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/auctions?before=zzz")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/auctions?limit=-1")).Status);
        using var anonymous = house.Chat.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/auctions")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/wallet")).Status);
        using var server = house.Server();
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync("/api/wallet")).Status); // a server names the user
        var bySever = await server.PostAsync("/api/auctions", Auction(b => b["seller"] = seller));
        Assert.Equal(HttpStatusCode.Created, bySever.Status);
        Assert.Equal(seller, bySever.Body.GetProperty("seller").GetString());
        using var other = house.Api(Users.New("mallory"));
        Assert.Equal(HttpStatusCode.Forbidden, (await other.PostAsync("/api/auctions", Auction(b => b["seller"] = seller))).Status);
    }

    [Fact]
    public async Task A_create_naming_two_different_sellers_is_refused_on_both_doors_and_sells_for_nobody()
    {
        // The audit: {"seller":"a","user":"b"} sold as a, silently, where every other server call refuses two users.
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        var now = house.Clock.GetUtcNow();
        Dictionary<string, object?> Auction(params (string Key, string Value)[] names)
        {
            var body = new Dictionary<string, object?>
            {
                ["title"] = "Lamp", ["currency"] = "coins", ["starting_bid"] = 10, ["min_increment"] = 1,
                ["starts_at"] = AuctionHouse.Iso(now), ["ends_at"] = AuctionHouse.Iso(now.AddHours(1)),
            };
            foreach (var (key, value) in names)
            {
                body[key] = value;
            }
            return body;
        }
        async Task<int> SoldByAsync(string seller)
        {
            using var server = house.Server();
            return (await server.GetAsync($"/api/auctions?seller={seller}")).Body.GetProperty("auctions").GetArrayLength();
        }

        using (var server = house.Server())
        {
            var both = await server.PostAsync("/api/auctions", Auction(("seller", ada), ("user", bob)));
            Assert.True(both.Status == HttpStatusCode.BadRequest, both.ToString());
            Assert.Equal("bad_request", both.Code);
            Assert.Equal("the call names two users to act for: \"seller\" and \"user\" differ; name one", both.Body.GetProperty("message").GetString());
            var inQuery = await server.PostAsync($"/api/auctions?user={bob}", Auction(("seller", ada)));
            Assert.True(inQuery.Status == HttpStatusCode.BadRequest, inQuery.ToString());
            Assert.Contains("?user=", inQuery.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        using (var admin = house.Admin())
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/auctions", Auction(("seller", ada), ("user", bob)))).Status);
        }
        await using (var ws = await WsClient.ConnectAsync(house.Chat.Server.WebSocketUri(AuctionHouse.Token(Users.New("root"), roles: ["admin"]))))
        {
            var refused = await ws.RequestAsync("auction.create", Auction(("seller", ada), ("user", bob)));
            Assert.Equal("bad_request", refused.ErrorCode());
            Assert.Contains("\"seller\" and \"user\" differ", refused.GetProperty("data").GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal((0, 0), (await SoldByAsync(ada), await SoldByAsync(bob)));

        // The same user named twice is one user; either field alone names the seller.
        using (var server = house.Server())
        {
            var same = await server.PostAsync("/api/auctions", Auction(("seller", ada), ("user", ada)));
            Assert.True(same.Status == HttpStatusCode.Created, same.ToString());
            Assert.Equal(ada, same.Body.GetProperty("seller").GetString());
            var byUser = await server.PostAsync("/api/auctions", Auction(("user", bob)));
            Assert.True(byUser.Status == HttpStatusCode.Created, byUser.ToString());
            Assert.Equal(bob, byUser.Body.GetProperty("seller").GetString());
        }
        Assert.Equal((1, 1), (await SoldByAsync(ada), await SoldByAsync(bob)));
    }

    [Fact]
    public async Task Auction_times_are_ISO_8601_and_a_start_in_the_past_starts_the_auction_now()
    {
        // The audit: "Sun, 06 Dec 2026 16:30:00 GMT" was accepted (a free-form parse), and a starts_at an hour ago made a
        // live auction backdated by an hour. A time without a zone is UTC, as every time of the API.
        var seller = Users.New("seller");
        using var api = house.Api(seller);
        var now = house.Clock.GetUtcNow();
        var ends = now.AddHours(2).UtcDateTime;
        Dictionary<string, object?> Auction(string endsAt, string? startsAt = null) => new()
        {
            ["title"] = "Lamp", ["currency"] = "coins", ["starting_bid"] = 10, ["min_increment"] = 1, ["ends_at"] = endsAt, ["starts_at"] = startsAt,
        };
        foreach (var bad in new[]
        {
            ends.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ends.ToString("yyyy-MM-dd HH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ends.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            var answer = await api.PostAsync("/api/auctions", Auction(bad));
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{bad}: {answer}");
            Assert.Contains("'ends_at'", answer.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        foreach (var good in new[]
        {
            AuctionHouse.Iso(ends), ends.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ends.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            new DateTimeOffset(ends).ToOffset(TimeSpan.FromHours(2)).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            new DateTimeOffset(ends).ToOffset(TimeSpan.FromHours(-5)).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            var answer = await api.PostAsync("/api/auctions", Auction(good));
            Assert.True(answer.Status == HttpStatusCode.Created, $"{good}: {answer}");
            Assert.Equal(ends, answer.Body.GetProperty("ends_at").GetDateTime().ToUniversalTime());
        }

        var backdated = await api.PostAsync("/api/auctions", Auction(AuctionHouse.Iso(ends), AuctionHouse.Iso(now.AddHours(-1))));
        Assert.True(backdated.Status == HttpStatusCode.Created, backdated.ToString()); // starts now, not an hour ago
        Assert.Equal((now.UtcDateTime, "live"), (backdated.Body.GetProperty("starts_at").GetDateTime().ToUniversalTime(), backdated.Body.GetProperty("state").GetString()));
        var skewed = await api.PostAsync("/api/auctions", Auction(AuctionHouse.Iso(ends), AuctionHouse.Iso(now.AddSeconds(-30))));
        Assert.True(skewed.Status == HttpStatusCode.Created, skewed.ToString()); // the clocks differ a little: it starts now
        Assert.Equal((now.UtcDateTime, "live"), (skewed.Body.GetProperty("starts_at").GetDateTime().ToUniversalTime(), skewed.Body.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task A_wrong_typed_field_of_a_command_is_named_as_over_REST()
    {
        var ada = Users.New("ada");
        await using var ws = await house.ConnectAsync(ada);
        var refused = await ws.RequestAsync("wallet.transfer", new { to = Users.New("bob"), currency = "coins", amount = 1.5, id = "t" });
        Assert.Equal("bad_request", refused.ErrorCode());
        Assert.Contains("(at 'amount')", refused.GetProperty("data").GetProperty("message").GetString(), StringComparison.Ordinal);
        using var api = house.Api(ada);
        var rest = await api.PostAsync("/api/wallet/transfers", new { to = Users.New("bob"), currency = "coins", amount = 1.5, id = "t" });
        Assert.Contains("(at 'amount')", rest.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
