using System.Net;
using System.Text.Json;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests.Auctions;

public sealed class AuctionSqliteTests(SqliteAuctionHouse house) : AuctionTests(house), IClassFixture<SqliteAuctionHouse>;

public sealed class AuctionPostgresTests(PostgresAuctionHouse house) : AuctionTests(house), IClassFixture<PostgresAuctionHouse>;

/// <summary>
/// Auctions end to end on a real server and a fake clock: bids hold, outbid releases at once, the end pays the winner's
/// hold to the seller once, anti-sniping, retried and concurrent bids, every refusal, and the channels' events and state.
/// </summary>
public abstract class AuctionTests(AuctionHouse house)
{
    [Fact]
    public async Task The_highest_bid_wins_the_hold_moves_with_the_lead_and_the_seller_is_paid_once()
    {
        var (seller, ada, bob) = (Users.New("seller"), Users.New("ada"), Users.New("bob"));
        await house.GrantAsync(ada, 500);
        await house.GrantAsync(bob, 500);
        var auction = await house.CreateAsync(seller, minutes: 10, startingBid: 100, minIncrement: 10);
        await using var adaWs = await house.ConnectAsync(ada);
        await adaWs.SubscribeAsync($"user:{ada}");
        await using var watcher = await house.ConnectAsync(Users.New("watcher"));
        var joined = await watcher.SubscribeAsync($"auction:{auction}");
        Assert.Equal("live", joined.GetProperty("state").GetProperty("state").GetString());

        var first = await house.BidAsync(ada, auction, 100);
        Assert.True(first.Status == HttpStatusCode.Created, first.ToString());
        Assert.Equal(100, first.Body.GetProperty("price").GetInt64());
        Assert.Equal(ada, first.Body.GetProperty("bid").GetProperty("user").GetString());
        Assert.Equal((500L, 100L), await house.WalletAsync(ada));

        var second = await house.BidAsync(bob, auction, 130);
        Assert.Equal(HttpStatusCode.Created, second.Status);
        Assert.Equal((500L, 0L), await house.WalletAsync(ada)); // outbid: released at once
        Assert.Equal((500L, 130L), await house.WalletAsync(bob));
        var outbid = await adaWs.NextAsync(f => f.Type() == "outbid");
        Assert.Equal(auction, outbid.GetProperty("data").GetProperty("auction").GetString());
        Assert.Equal(130, outbid.GetProperty("data").GetProperty("price").GetInt64());

        // The leader raising their own bid tops the hold up: one hold, never two.
        Assert.Equal(HttpStatusCode.Created, (await house.BidAsync(bob, auction, 150)).Status);
        Assert.Equal((500L, 150L), await house.WalletAsync(bob));

        var placed = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            placed.Add(await watcher.NextAsync(f => f.Type() == "bid_placed")); // auction_started may come first or between: the start job runs on its own
        }
        Assert.Equal([100L, 130L, 150L], placed.Select(p => p.GetProperty("data").GetProperty("price").GetInt64()));
        Assert.Equal(3, placed[^1].GetProperty("data").GetProperty("bid_count").GetInt64());

        // A late subscriber gets the state at once: price, leader, end, the bids highest first.
        await using var late = await house.ConnectAsync(Users.New("late"));
        var state = (await late.SubscribeAsync($"auction:{auction}")).GetProperty("state");
        Assert.Equal(150, state.GetProperty("price").GetInt64());
        Assert.Equal(bob, state.GetProperty("leader").GetString());
        Assert.Equal([150L, 130L, 100L], state.GetProperty("bids").EnumerateArray().Select(b => b.GetProperty("amount").GetInt64()));

        await using var bobWs = await house.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"user:{bob}");
        house.Clock.Advance(TimeSpan.FromMinutes(11));
        var ended = await house.SettledAsync(auction);
        Assert.Equal("ended", ended.GetProperty("state").GetString());
        Assert.Equal(bob, ended.GetProperty("winner").GetString());
        Assert.True(ended.GetProperty("sold").GetBoolean());
        Assert.Equal((350L, 0L), await house.WalletAsync(bob));
        Assert.Equal((150L, 0L), await house.WalletAsync(seller));
        Assert.Equal((500L, 0L), await house.WalletAsync(ada));
        Assert.Equal(150, (await bobWs.NextAsync(f => f.Type() == "auction_won")).GetProperty("data").GetProperty("price").GetInt64());
        var endedEvent = await watcher.NextAsync(f => f.Type() == "auction_ended");
        Assert.Equal(bob, endedEvent.GetProperty("data").GetProperty("winner").GetString());

        using var bobApi = house.Api(bob);
        var bids = await bobApi.GetAsync($"/api/auctions/{auction}/bids");
        Assert.Equal([150L, 130L, 100L], bids.Body.GetProperty("bids").EnumerateArray().Select(b => b.GetProperty("amount").GetInt64()));
        // The app's backend reads public auctions with its key alone, naming no user.
        using var backend = house.Server();
        var asServer = await backend.GetAsync($"/api/auctions/{auction}");
        Assert.Equal(bob, asServer.Body.GetProperty("leader").GetString());
        Assert.Equal(3, (await backend.GetAsync($"/api/auctions/{auction}/bids")).Body.GetProperty("bids").GetArrayLength());
        Assert.Contains((await backend.GetAsync("/api/auctions?state=ended")).Body.GetProperty("auctions").EnumerateArray(),
            a => a.GetProperty("id").GetString() == auction);
        var ledger = (await bobApi.GetAsync("/api/wallet/ledger")).Body.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["capture", "hold", "hold", "grant"], ledger.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(-150, ledger[0].GetProperty("amount").GetInt64());
        Assert.Equal(350, ledger[0].GetProperty("balance_after").GetInt64());
        using var sellerApi = house.Api(seller);
        var paid = (await sellerApi.GetAsync("/api/wallet/ledger")).Body.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(150, Assert.Single(paid, e => e.GetProperty("kind").GetString() == "transfer").GetProperty("amount").GetInt64());
        var notes = (await bobApi.GetAsync("/api/notifications")).Body.GetProperty("items").EnumerateArray();
        Assert.Contains(notes, n => n.GetProperty("type").GetString() == "auction_won");
        using var adaApi = house.Api(ada);
        Assert.Contains((await adaApi.GetAsync("/api/notifications")).Body.GetProperty("items").EnumerateArray(),
            n => n.GetProperty("type").GetString() == "outbid");
        await house.AssertConsistentAsync();
    }

    [Fact]
    public async Task A_reserve_not_met_sells_nothing_and_releases_the_hold()
    {
        var (seller, ada) = (Users.New("seller"), Users.New("ada"));
        await house.GrantAsync(ada, 300);
        var auction = await house.CreateAsync(seller, minutes: 5, startingBid: 10, reserve: 200);
        Assert.Equal(HttpStatusCode.Created, (await house.BidAsync(ada, auction, 150)).Status);
        var view = await house.AuctionAsync(auction);
        Assert.False(view.GetProperty("reserve_met").GetBoolean());
        Assert.False(view.TryGetProperty("reserve_price", out _)); // the reserve is the seller's secret
        house.Clock.Advance(TimeSpan.FromMinutes(6));
        var ended = await house.SettledAsync(auction);
        Assert.False(ended.GetProperty("sold").GetBoolean());
        Assert.Equal(JsonValueKind.Null, ended.GetProperty("winner").ValueKind);
        Assert.Equal((300L, 0L), await house.WalletAsync(ada));
        Assert.Equal((0L, 0L), await house.WalletAsync(seller));
        await house.AssertConsistentAsync();
    }

    [Fact]
    public async Task A_late_bid_extends_the_end_but_never_past_max_end_at()
    {
        var (seller, ada, bob) = (Users.New("seller"), Users.New("ada"), Users.New("bob"));
        await house.GrantAsync(ada, 1000);
        await house.GrantAsync(bob, 1000);
        var start = house.Clock.GetUtcNow();
        var auction = await house.CreateAsync(seller, minutes: 10, extendWithin: 60, extendBy: 120, maxEnd: start.AddMinutes(10).AddSeconds(150));
        await using var watcher = await house.ConnectAsync(Users.New("watcher"));
        await watcher.SubscribeAsync($"auction:{auction}");

        Assert.Equal(HttpStatusCode.Created, (await house.BidAsync(ada, auction, 10)).Status); // early: no extension
        house.Clock.Advance(TimeSpan.FromSeconds(570)); // 30 s before the end
        var late = await house.BidAsync(bob, auction, 20);
        var newEnd = start.AddSeconds(570 + 120);
        Assert.Equal(newEnd.UtcDateTime, late.Body.GetProperty("ends_at").GetDateTime());
        Assert.Equal(newEnd.UtcDateTime, (await watcher.NextAsync(f => f.Type() == "auction_extended")).GetProperty("data").GetProperty("ends_at").GetDateTime());

        house.Clock.Advance(TimeSpan.FromSeconds(100)); // past the first end, 20 s before the new one: still live
        var capped = await house.BidAsync(ada, auction, 30);
        Assert.True(capped.Status == HttpStatusCode.Created, capped.ToString());
        Assert.Equal(start.AddSeconds(750).UtcDateTime, capped.Body.GetProperty("ends_at").GetDateTime()); // max_end_at, not now + 120

        house.Clock.Advance(TimeSpan.FromSeconds(81)); // past max_end_at
        var ended = await house.SettledAsync(auction);
        Assert.Equal(ada, ended.GetProperty("winner").GetString());
        Assert.Equal(30, ended.GetProperty("price").GetInt64());
    }

    [Fact]
    public async Task A_retried_client_id_is_one_bid_also_when_the_retries_race()
    {
        var (seller, ada) = (Users.New("seller"), Users.New("ada"));
        await house.GrantAsync(ada, 1000);
        var auction = await house.CreateAsync(seller);
        var first = await house.BidAsync(ada, auction, 50, clientId: "tap-1");
        var again = await house.BidAsync(ada, auction, 50, clientId: "tap-1");
        Assert.Equal(HttpStatusCode.Created, again.Status);
        Assert.True(again.Body.GetProperty("duplicate").GetBoolean());
        Assert.Equal(first.Body.GetProperty("bid").GetProperty("id").GetString(), again.Body.GetProperty("bid").GetProperty("id").GetString());

        var racing = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => house.BidAsync(ada, auction, 80, clientId: "tap-2")));
        Assert.All(racing, r => Assert.Equal(HttpStatusCode.Created, r.Status));
        Assert.Single(racing.Select(r => r.Body.GetProperty("bid").GetProperty("id").GetString()).Distinct());
        var view = await house.AuctionAsync(auction);
        Assert.Equal(2, view.GetProperty("bid_count").GetInt64());
        Assert.Equal((1000L, 80L), await house.WalletAsync(ada));
    }

    [Fact]
    public async Task A_retried_client_id_answers_its_first_bid_after_the_price_passed_it_and_a_low_plain_bid_is_refused()
    {
        // The node remembers the least next bid of auctions it took bids on and refuses plain bids below it without a
        // write; a retry with a client_id must still reach the stored answer of its first bid, and a stale bid is refused.
        var (seller, ada, bob) = (Users.New("seller"), Users.New("ada"), Users.New("bob"));
        await house.GrantAsync(ada, 1000);
        await house.GrantAsync(bob, 1000);
        var auction = await house.CreateAsync(seller, startingBid: 10, minIncrement: 5);
        var first = await house.BidAsync(ada, auction, 50, clientId: "tap-1");
        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, (await house.BidAsync(bob, auction, 100)).Status);

        var retry = await house.BidAsync(ada, auction, 50, clientId: "tap-1");
        Assert.Equal(HttpStatusCode.Created, retry.Status);
        Assert.True(retry.Body.GetProperty("duplicate").GetBoolean());
        Assert.Equal(first.Body.GetProperty("bid").GetProperty("id").GetString(), retry.Body.GetProperty("bid").GetProperty("id").GetString());

        Assert.Equal("bid_too_low", Reason(await house.BidAsync(ada, auction, 104)));
        Assert.Equal("own_auction", Reason(await house.BidAsync(seller, auction, 60))); // the seller's own bid still says so
        Assert.Equal(HttpStatusCode.Created, (await house.BidAsync(ada, auction, 105)).Status);
        var view = await house.AuctionAsync(auction);
        Assert.Equal((105L, ada, 3L), (view.GetProperty("price").GetInt64(), view.GetProperty("leader").GetString(), view.GetProperty("bid_count").GetInt64()));
        Assert.Equal((1000L, 105L), await house.WalletAsync(ada));
        Assert.Equal((1000L, 0L), await house.WalletAsync(bob));
        await house.AssertConsistentAsync();
    }

    [Fact]
    public async Task Concurrent_bids_on_one_auction_let_the_highest_win_and_leave_one_hold()
    {
        var seller = Users.New("seller");
        var bidders = Enumerable.Range(0, 24).Select(i => Users.New($"b{i}")).ToList();
        foreach (var b in bidders)
        {
            await house.GrantAsync(b, 1000);
        }
        var auction = await house.CreateAsync(seller, startingBid: 100, minIncrement: 10);
        // Amounts 10 apart: the highest is valid whatever came before it, so it must win.
        var amounts = bidders.Select((b, i) => (User: b, Amount: 100L + 10 * ((i * 7) % bidders.Count))).ToList();
        var answers = await Task.WhenAll(amounts.Select(a => house.BidAsync(a.User, auction, a.Amount)));
        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.Created || a.Body.GetProperty("reason").GetString() == "bid_too_low", a.ToString()));
        var top = amounts.MaxBy(a => a.Amount);
        var view = await house.AuctionAsync(auction);
        Assert.Equal(top.Amount, view.GetProperty("price").GetInt64());
        Assert.Equal(top.User, view.GetProperty("leader").GetString());
        Assert.Equal(answers.Count(a => a.Status == HttpStatusCode.Created), view.GetProperty("bid_count").GetInt64());
        foreach (var b in bidders)
        {
            Assert.Equal((1000L, b == top.User ? top.Amount : 0L), await house.WalletAsync(b));
        }
        await house.AssertConsistentAsync();
    }

    [Fact]
    public async Task Empty_query_parameters_of_the_lists_are_no_parameters()
    {
        // A client filling the contract's GET /api/auctions?state=… (or a ?before=&limit= page) may leave one empty: that
        // is no filter and the first page, as on the feed, not a 400.
        var (seller, ada) = (Users.New("seller"), Users.New("ada"));
        await house.GrantAsync(ada, 100);
        var auction = await house.CreateAsync(seller, minutes: 10, startingBid: 10, minIncrement: 5);
        Assert.Equal(HttpStatusCode.Created, (await house.BidAsync(ada, auction, 10)).Status);
        using var api = house.Api(ada);
        var list = await api.GetAsync($"/api/auctions?state=&seller={seller}&before=&limit=10");
        Assert.True(list.Status == HttpStatusCode.OK, list.ToString());
        Assert.Equal(auction, Assert.Single(list.Body.GetProperty("auctions").EnumerateArray()).GetProperty("id").GetString());
        var bids = await api.GetAsync($"/api/auctions/{auction}/bids?before=&limit=10");
        Assert.True(bids.Status == HttpStatusCode.OK, bids.ToString());
        Assert.Equal(10, Assert.Single(bids.Body.GetProperty("bids").EnumerateArray()).GetProperty("amount").GetInt64());
    }

    [Fact]
    public async Task Every_refusal_has_its_reason()
    {
        var (seller, ada, poor) = (Users.New("seller"), Users.New("ada"), Users.New("poor"));
        await house.GrantAsync(ada, 100);
        await house.GrantAsync(poor, 5);
        var scheduled = await house.CreateAsync(seller, minutes: 60, starts: house.Clock.GetUtcNow().AddMinutes(30));
        var auction = await house.CreateAsync(seller, startingBid: 20, minIncrement: 10);
        var other = await house.CreateAsync(Users.New("seller2"), startingBid: 10);

        Assert.Equal("auction_not_live", Reason(await house.BidAsync(ada, scheduled, 50)));
        Assert.Equal("bid_too_low", Reason(await house.BidAsync(ada, auction, 19))); // below the starting bid
        Assert.Equal(HttpStatusCode.Created, (await house.BidAsync(ada, auction, 20)).Status);
        Assert.Equal("bid_too_low", Reason(await house.BidAsync(ada, auction, 29))); // below price + increment
        Assert.Equal("own_auction", Reason(await house.BidAsync(seller, auction, 100)));
        Assert.Equal("insufficient_funds", Reason(await house.BidAsync(poor, auction, 30)));
        // One balance cannot fund two auctions: 20 is held, 80 are available.
        Assert.Equal("insufficient_funds", Reason(await house.BidAsync(ada, other, 81)));
        Assert.Equal(HttpStatusCode.Created, (await house.BidAsync(ada, other, 80)).Status);
        Assert.Equal((100L, 100L), await house.WalletAsync(ada));

        using var sellerApi = house.Api(seller);
        Assert.Equal("has_bids", Reason(await sellerApi.PostAsync($"/api/auctions/{auction}/cancel", new { })));
        using var adaApi = house.Api(ada);
        Assert.Equal(HttpStatusCode.Forbidden, (await adaApi.PostAsync($"/api/auctions/{scheduled}/cancel", new { })).Status);
        var cancelled = await sellerApi.PostAsync($"/api/auctions/{scheduled}/cancel", new { });
        Assert.Equal("cancelled", cancelled.Body.GetProperty("state").GetString());
        Assert.Equal("auction_not_live", Reason(await sellerApi.PostAsync($"/api/auctions/{scheduled}/cancel", new { })));
        var onCancelled = await house.BidAsync(ada, scheduled, 50); // its message says why, not "has ended"
        // A server names the seller in the body (FEATURES.md "names the user it acts for in the body"); before, only ?user=.
        var byServer = await house.CreateAsync(seller, minutes: 60, starts: house.Clock.GetUtcNow().AddMinutes(30));
        using var server = house.Server();
        // A server's create naming nobody is told to name the seller (the field it has), not a "user".
        var nobody = await server.PostAsync("/api/auctions", new { title = "No seller", start_price = 10, ends_at = house.Clock.GetUtcNow().AddHours(1) });
        Assert.Equal(HttpStatusCode.BadRequest, nobody.Status);
        Assert.Contains("\"seller\"", nobody.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        var cancelledByServer = await server.PostAsync($"/api/auctions/{byServer}/cancel", new { user = seller });
        Assert.True(cancelledByServer.Status == HttpStatusCode.OK, cancelledByServer.ToString());
        Assert.Equal("cancelled", cancelledByServer.Body.GetProperty("state").GetString());
        Assert.Equal("auction_not_live", Reason(onCancelled));
        Assert.Contains("cancelled", onCancelled.Body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await house.BidAsync(ada, "0123456789abcdef", 50)).Status);

        // The same refusals over the WebSocket command.
        await using var ws = await house.ConnectAsync(poor);
        var refused = await ws.RequestAsync("auction.bid", new { auction, amount = 40 });
        Assert.Equal("conflict", refused.ErrorCode());
        Assert.Equal("insufficient_funds", refused.GetProperty("data").GetProperty("reason").GetString());
        await using var sellerWs = await house.ConnectAsync(seller);
        var own = await sellerWs.RequestAsync("auction.bid", new { auction, amount = 40 });
        Assert.Equal("own_auction", own.GetProperty("data").GetProperty("reason").GetString());
        var ownByAlias = await sellerWs.RequestAsync("auctions.bid", new { auction, amount = 40 }); // the plural name answers the same
        Assert.Equal("own_auction", ownByAlias.GetProperty("data").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_bid_after_ends_at_is_refused_even_before_the_end_job_ran()
    {
        var (seller, ada, bob) = (Users.New("seller"), Users.New("ada"), Users.New("bob"));
        await house.GrantAsync(ada, 100);
        await house.GrantAsync(bob, 100);
        var auction = await house.CreateAsync(seller, minutes: 5);
        Assert.Equal(HttpStatusCode.Created, (await house.BidAsync(ada, auction, 10)).Status);
        // The end job is taken away, as if no node had run it yet.
        var database = house.Chat.Server.Services.GetRequiredService<IDatabase>();
        await database.InTransactionAsync(tx => tx.ExecuteAsync("DELETE FROM kit_jobs WHERE kind = 'auction.end' AND job_key = @auction", new { auction }));
        house.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("auction_not_live", Reason(await house.BidAsync(bob, auction, 50)));
        var view = await house.AuctionAsync(auction);
        Assert.Equal("ended", view.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("settled_at").ValueKind);
        Assert.Equal((100L, 0L), await house.WalletAsync(bob));
    }

    [Fact]
    public async Task The_channels_refuse_client_publishes_and_the_lobby_lists_open_auctions()
    {
        var seller = Users.New("seller");
        var auction = await house.CreateAsync(seller, minutes: 30);
        await using var ws = await house.ConnectAsync(Users.New("eve"));
        var publish = await ws.RequestAsync("publish", new { channel = $"auction:{auction}", data = new { fake = true } });
        Assert.Equal("forbidden", publish.ErrorCode());
        // An unknown auction is not_found, as its REST read (FEATURES.md "unknown ids are not_found").
        Assert.Equal("not_found", (await ws.RequestAsync("subscribe", new { channel = "auction:ffffffffffffffff" })).ErrorCode());
        Assert.Equal("not_found", (await ws.RequestAsync("history", new { channel = "auction:ffffffffffffffff" })).ErrorCode());
        var lobby = await ws.SubscribeAsync("auctions:lobby");
        Assert.Contains(lobby.GetProperty("state").GetProperty("auctions").EnumerateArray(), a => a.GetProperty("id").GetString() == auction);
        Assert.Equal("forbidden", (await ws.RequestAsync("publish", new { channel = "auctions:lobby", data = new { } })).ErrorCode());
        // Typing and cursors are a client's payload relayed to every subscriber: refused where only the server speaks.
        Assert.Equal("forbidden", (await ws.RequestAsync("typing", new { channel = $"auction:{auction}", is_typing = true })).ErrorCode());
        Assert.Equal("forbidden", (await ws.RequestAsync("cursor", new { channel = $"auction:{auction}", x = 1, y = 2 })).ErrorCode());
        var created = await house.CreateAsync(seller, minutes: 20);
        var update = await ws.NextAsync(f => f.Channel() == "auctions:lobby" && f.Type() == "lobby_update"
            && f.GetProperty("data").GetProperty("auction").GetProperty("id").GetString() == created);
        Assert.Equal("created", update.GetProperty("data").GetProperty("kind").GetString());
        Assert.Equal("live", update.GetProperty("data").GetProperty("auction").GetProperty("state").GetString());
    }

    private static string? Reason(Answer answer)
    {
        Assert.True(answer.Status is HttpStatusCode.Conflict, answer.ToString());
        return answer.Body.GetProperty("reason").GetString();
    }
}
