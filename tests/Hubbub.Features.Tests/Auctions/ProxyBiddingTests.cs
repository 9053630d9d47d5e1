using System.Net;
using System.Text.Json;

namespace Hubbub.Features.Tests.Auctions;

public sealed class ProxyBiddingSqliteTests(SqliteAuctionHouse house) : ProxyBiddingTests(house), IClassFixture<SqliteAuctionHouse>;

public sealed class ProxyBiddingPostgresTests(PostgresAuctionHouse house) : ProxyBiddingTests(house), IClassFixture<PostgresAuctionHouse>;

/// <summary>
/// Proxy bidding end to end: a maximum bids for its bidder up to it, the price is the second-highest maximum plus the
/// increment (capped), the leader's hold is their maximum, a manual bid is answered by the leader's proxy in the same
/// transaction, ties go to the earlier maximum, the outbid events go to who lost, and the end pays the price (not the
/// maximum).
/// </summary>
public abstract class ProxyBiddingTests(AuctionHouse house)
{
    [Fact]
    public async Task Proxies_bid_for_their_bidders_up_to_their_maximum_and_the_end_pays_the_price()
    {
        var (seller, ada, bob, carl) = (Users.New("seller"), Users.New("ada"), Users.New("bob"), Users.New("carl"));
        foreach (var user in new[] { ada, bob, carl })
        {
            await house.GrantAsync(user, 1000);
        }
        var auction = await house.CreateAsync(seller, startingBid: 10, minIncrement: 5);
        await using var watcher = await house.ConnectAsync(Users.New("watcher"));
        await watcher.SubscribeAsync($"auction:{auction}");
        await using var adaWs = await house.ConnectAsync(ada);
        await adaWs.SubscribeAsync($"user:{ada}");
        await using var bobWs = await house.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"user:{bob}");

        // A first proxy bid opens at the starting bid and holds the whole maximum.
        var first = await house.ProxyBidAsync(ada, auction, 200);
        Assert.True(first.Status == HttpStatusCode.Created, first.ToString());
        Assert.Equal(10, first.Body.GetProperty("price").GetInt64());
        Assert.True(first.Body.GetProperty("leading").GetBoolean());
        Assert.Equal(200, first.Body.GetProperty("max_amount").GetInt64());
        Assert.Equal((1000L, 200L), await house.WalletAsync(ada));

        // A manual bid under the maximum stands, and the proxy answers it at once: one more increment.
        var manual = await house.BidAsync(bob, auction, 50);
        Assert.Equal(HttpStatusCode.Created, manual.Status);
        Assert.False(manual.Body.GetProperty("leading").GetBoolean());
        Assert.Equal(ada, manual.Body.GetProperty("leader").GetString());
        Assert.Equal(55, manual.Body.GetProperty("price").GetInt64());
        Assert.Equal(50, manual.Body.GetProperty("bid").GetProperty("amount").GetInt64());
        Assert.Equal((1000L, 0L), await house.WalletAsync(bob)); // held and given back in the same transaction
        Assert.Equal(55, (await bobWs.NextAsync(f => f.Type() == "outbid")).GetProperty("data").GetProperty("price").GetInt64());
        var placed = new[] { await watcher.NextAsync(f => f.Type() == "bid_placed"), await watcher.NextAsync(f => f.Type() == "bid_placed"),
            await watcher.NextAsync(f => f.Type() == "bid_placed") };
        Assert.Equal([(ada, 10L, false), (bob, 50L, false), (ada, 55L, true)], placed.Select(p => p.GetProperty("data").GetProperty("bid"))
            .Select(b => (b.GetProperty("user").GetString()!, b.GetProperty("amount").GetInt64(), b.GetProperty("auto").GetBoolean())));
        Assert.All(placed[1..], p => Assert.Equal(55, p.GetProperty("data").GetProperty("price").GetInt64()));
        Assert.Equal(ada, placed[^1].GetProperty("data").GetProperty("leader").GetString());

        // A higher maximum wins at the old maximum plus the increment; the old proxy's last bid is its maximum.
        var bigger = await house.ProxyBidAsync(bob, auction, 300);
        Assert.True(bigger.Body.GetProperty("leading").GetBoolean(), bigger.ToString());
        Assert.Equal(205, bigger.Body.GetProperty("price").GetInt64());
        Assert.Equal((1000L, 0L), await house.WalletAsync(ada));
        Assert.Equal((1000L, 300L), await house.WalletAsync(bob));
        Assert.Equal(205, (await adaWs.NextAsync(f => f.Type() == "outbid")).GetProperty("data").GetProperty("price").GetInt64());

        // The same maximum later loses: ties go to the earlier one, at that maximum.
        var tie = await house.ProxyBidAsync(carl, auction, 300);
        Assert.False(tie.Body.GetProperty("leading").GetBoolean(), tie.ToString());
        Assert.Equal(bob, tie.Body.GetProperty("leader").GetString());
        Assert.Equal(300, tie.Body.GetProperty("price").GetInt64());
        Assert.Equal((1000L, 0L), await house.WalletAsync(carl));

        // The leader raises the maximum without moving the price; a maximum never goes down.
        var raised = await house.ProxyBidAsync(bob, auction, 400);
        Assert.Equal(HttpStatusCode.Created, raised.Status);
        Assert.Equal(300, raised.Body.GetProperty("price").GetInt64());
        Assert.Equal((1000L, 400L), await house.WalletAsync(bob));
        var lower = await house.ProxyBidAsync(bob, auction, 350);
        Assert.Equal(HttpStatusCode.Conflict, lower.Status);
        Assert.Equal("bid_too_low", lower.Body.GetProperty("reason").GetString());

        var view = await house.AuctionAsync(auction);
        Assert.Equal(300, view.GetProperty("price").GetInt64());
        Assert.Equal(bob, view.GetProperty("leader").GetString());
        Assert.Equal(7, view.GetProperty("bid_count").GetInt64());
        Assert.False(view.TryGetProperty("leader_max", out _)); // the maximum is private
        using var api = house.Api(Users.New("viewer"));
        var bids = (await api.GetAsync($"/api/auctions/{auction}/bids")).Body.GetProperty("bids").EnumerateArray()
            .Select(b => (b.GetProperty("user").GetString(), b.GetProperty("amount").GetInt64())).ToList();
        Assert.Equal([(bob, 300L), (carl, 300L), (bob, 205L), (ada, 200L), (ada, 55L), (bob, 50L), (ada, 10L)], bids);
        var page = (await api.GetAsync($"/api/auctions/{auction}/bids?limit=2")).Body;
        var rest = (await api.GetAsync($"/api/auctions/{auction}/bids?limit=10&before={page.GetProperty("next_cursor").GetString()}")).Body;
        Assert.Equal(5, rest.GetProperty("bids").GetArrayLength()); // paging by bid, so equal amounts are neither skipped nor repeated

        house.Clock.Advance(TimeSpan.FromMinutes(11));
        var ended = await house.SettledAsync(auction);
        Assert.Equal(bob, ended.GetProperty("winner").GetString());
        Assert.Equal((700L, 0L), await house.WalletAsync(bob)); // the price, not the maximum
        Assert.Equal((300L, 0L), await house.WalletAsync(seller));
        await house.AssertConsistentAsync();
    }

    [Fact]
    public async Task A_maximum_must_be_covered_and_valid_and_works_as_a_command()
    {
        var (seller, ada, poor) = (Users.New("seller"), Users.New("ada"), Users.New("poor"));
        await house.GrantAsync(ada, 1000);
        await house.GrantAsync(poor, 100);
        var auction = await house.CreateAsync(seller, startingBid: 20, minIncrement: 10);

        var uncovered = await house.ProxyBidAsync(poor, auction, 500);
        Assert.Equal("insufficient_funds", uncovered.Body.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await house.ProxyBidAsync(ada, auction, 30, amount: 40)).Status); // max below amount
        using (var api = house.Api(ada))
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync($"/api/auctions/{auction}/bids", new { })).Status);
            Assert.Equal(HttpStatusCode.BadRequest, (await api.PostRawAsync($"/api/auctions/{auction}/bids", """{"max_amount":-5}""")).Status);
            Assert.Equal(HttpStatusCode.BadRequest, (await api.PostRawAsync($"/api/auctions/{auction}/bids", """{"max_amount":"lots"}""")).Status);
        }
        Assert.Equal("bid_too_low", (await house.ProxyBidAsync(ada, auction, 19)).Body.GetProperty("reason").GetString());
        Assert.Equal(0, (await house.AuctionAsync(auction)).GetProperty("bid_count").GetInt64());

        // Over the WebSocket: the same service, an amount to start from and a maximum above it.
        await using var ws = await house.ConnectAsync(ada);
        var reply = await ws.OkAsync("auction.bid", new { auction, amount = 50, max_amount = 120, client_id = "c1" });
        Assert.Equal(50, reply.GetProperty("price").GetInt64());
        Assert.Equal(120, reply.GetProperty("max_amount").GetInt64());
        var again = await ws.OkAsync("auction.bid", new { auction, amount = 50, max_amount = 120, client_id = "c1" });
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.Equal((1000L, 120L), await house.WalletAsync(ada));

        // A manual bid above the maximum beats it at its own amount; the proxy's last bid is its maximum.
        var over = await house.BidAsync(poor, auction, 150);
        Assert.Equal("insufficient_funds", over.Body.GetProperty("reason").GetString());
        await house.GrantAsync(poor, 100);
        var beat = await house.BidAsync(poor, auction, 125);
        Assert.True(beat.Body.GetProperty("leading").GetBoolean(), beat.ToString());
        Assert.Equal(125, beat.Body.GetProperty("price").GetInt64());
        Assert.Equal((1000L, 0L), await house.WalletAsync(ada));
        Assert.Equal((200L, 125L), await house.WalletAsync(poor));
        await house.AssertConsistentAsync();
    }

    [Fact]
    public async Task Concurrent_proxies_leave_the_highest_maximum_leading_with_one_hold()
    {
        var seller = Users.New("seller");
        var bidders = Enumerable.Range(0, 12).Select(i => Users.New($"x{i}")).ToList();
        foreach (var b in bidders)
        {
            await house.GrantAsync(b, 10_000);
        }
        var auction = await house.CreateAsync(seller, startingBid: 100, minIncrement: 10);
        var maxima = bidders.Select((b, i) => (User: b, Max: 200L + 37 * ((i * 5) % bidders.Count))).ToList();
        var answers = await Task.WhenAll(maxima.Select(m => house.ProxyBidAsync(m.User, auction, m.Max)));
        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.Created || a.Body.GetProperty("reason").GetString() == "bid_too_low", a.ToString()));
        var ordered = maxima.OrderByDescending(m => m.Max).ToList();
        var view = await house.AuctionAsync(auction);
        Assert.Equal(ordered[0].User, view.GetProperty("leader").GetString());
        var price = view.GetProperty("price").GetInt64();
        // Whatever the order: the second-highest maximum plus the increment (the maxima are 37 apart, so never capped).
        Assert.Equal(ordered[1].Max + 10, price);
        foreach (var (user, max) in maxima)
        {
            Assert.Equal((10_000L, user == ordered[0].User ? max : 0L), await house.WalletAsync(user));
        }
        await house.AssertConsistentAsync();
    }
}
