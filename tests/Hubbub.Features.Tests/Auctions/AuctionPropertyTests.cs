using System.Net;
using System.Text.Json;
using CsCheck;

namespace Hubbub.Features.Tests.Auctions;

public sealed class AuctionPropertySqliteTests(SqliteAuctionHouse house) : AuctionPropertyTests(house), IClassFixture<SqliteAuctionHouse>;

public sealed class AuctionPropertyPostgresTests(PostgresAuctionHouse house) : AuctionPropertyTests(house), IClassFixture<PostgresAuctionHouse>;

/// <summary>
/// Random interleavings of grants, transfers, bids, proxy bids (<c>max_amount</c>), cancels and the clock moving (which ends
/// auctions) across several users and auctions on a real server, checked after every step and at the end: holds are
/// exactly the leaders' maxima on the auctions not yet settled (one hold per leader, the price never above it), nothing is negative, every ended auction paid its highest bidder's bid to its seller once (or
/// nothing when under the reserve), the balances are what the accepted operations imply, coins are conserved, and the
/// wallet's own check (ledger sums = balances) agrees.
/// </summary>
public abstract class AuctionPropertyTests(AuctionHouse house)
{
    private const int UserCount = 5;
    private const int AuctionCount = 3;

    private enum Kind { Grant, Transfer, Bid, ProxyBid, Cancel, Advance }

    private sealed record Step(Kind Kind, int A, int B, int C)
    {
        public override string ToString() => $"{Kind}({A},{B},{C})";
    }

    private static readonly Gen<Step[]> Steps = Gen.Select(Gen.Int[0, 11], Gen.Int[0, 99], Gen.Int[0, 99], Gen.Int[1, 400],
        (k, a, b, c) => new Step(k switch
        {
            0 or 1 => Kind.Grant, 2 => Kind.Transfer, <= 5 => Kind.Bid, <= 8 => Kind.ProxyBid, 9 => Kind.Cancel, _ => Kind.Advance,
        }, a, b, c))
        .Array[8, 30];

    private int _acceptedBids;
    private int _answeredByProxy;
    private int _sold;

    /// <summary>Per auction, the leader and the maximum their last leading bid's reply said is held.</summary>
    private readonly Dictionary<string, (string Leader, long Max)> _leaderMax = [];

    [Fact]
    public async Task Random_interleavings_keep_the_money_invariants()
    {
        // Random runs, ten at a time, until they have covered what the invariants are about (a proxy answering a bid
        // needs a proxy leader and a lower bid after it, which ten short runs do not always draw): bounded at five rounds.
        for (var round = 0; round < 5 && !Covered; round++)
        {
            await Steps.SampleAsync(RunAsync, iter: 10, threads: 1, print: steps => string.Join(" ", steps.Select(s => s.ToString())));
        }
        // Not vacuous: the runs placed bids and sold auctions (and refused others, asserted step by step).
        Assert.True(Covered, $"bids {_acceptedBids}, answered by a proxy {_answeredByProxy}, sold {_sold}");
    }

    private bool Covered => _acceptedBids > 5 && _sold > 0 && _answeredByProxy > 0;

    private async Task RunAsync(Step[] steps)
    {
        var users = Enumerable.Range(0, UserCount).Select(i => Users.New($"p{i}")).ToArray();
        var auctions = new string[AuctionCount];
        var sellers = new string[AuctionCount];
        for (var i = 0; i < AuctionCount; i++)
        {
            sellers[i] = users[i % 2];
            auctions[i] = await house.CreateAsync(sellers[i], minutes: 10 * (i + 1), startingBid: 10 + 10 * i, minIncrement: 5,
                reserve: i == 2 ? 150 : null);
        }
        var expected = users.ToDictionary(u => u, _ => 0L);
        long granted = 0;
        foreach (var user in users.Skip(1)) // the first starts with nothing: its bids test insufficient_funds
        {
            await house.GrantAsync(user, 150);
            expected[user] = 150;
            granted += 150;
        }
        var transferId = 0;

        foreach (var step in steps)
        {
            var user = users[step.A % UserCount];
            switch (step.Kind)
            {
                case Kind.Grant:
                    await house.GrantAsync(user, step.C);
                    expected[user] += step.C;
                    granted += step.C;
                    break;
                case Kind.Transfer:
                    var to = users[step.B % UserCount];
                    if (to == user)
                    {
                        break;
                    }
                    var amount = step.C % 200 + 1;
                    using (var api = house.Api(user))
                    {
                        var sent = await api.PostAsync("/api/wallet/transfers", new { to, currency = "coins", amount, id = $"t{transferId++}" });
                        if (sent.Status == HttpStatusCode.Created)
                        {
                            expected[user] -= amount;
                            expected[to] += amount;
                        }
                        else
                        {
                            Assert.True(sent.Status == HttpStatusCode.Conflict && Reason(sent) == "insufficient_funds", sent.ToString());
                        }
                    }
                    break;
                case Kind.Bid or Kind.ProxyBid:
                    var index = step.B % AuctionCount;
                    var view = await house.AuctionAsync(auctions[index]);
                    // Mostly near the next valid bid, sometimes anything: both valid and refused bids get exercised.
                    var bid = step.C % 3 == 0 ? step.C : view.GetProperty("min_next_bid").GetInt64() + step.C % 20 - 2;
                    Answer answer;
                    if (step.Kind == Kind.ProxyBid)
                    {
                        // A maximum near the next bid, sometimes with an amount to start from.
                        var max = Math.Max(1, view.GetProperty("min_next_bid").GetInt64() + step.C % 80 - 5);
                        answer = await house.ProxyBidAsync(user, auctions[index], max, step.C % 4 == 0 ? Math.Max(1, max - step.C % 30) : null);
                    }
                    else
                    {
                        answer = await house.BidAsync(user, auctions[index], Math.Max(1, bid));
                    }
                    if (answer.Status == HttpStatusCode.Created)
                    {
                        _acceptedBids++;
                        if (answer.Body.GetProperty("leading").GetBoolean())
                        {
                            _leaderMax[auctions[index]] = (user, answer.Body.GetProperty("max_amount").GetInt64());
                        }
                        else
                        {
                            _answeredByProxy++;
                        }
                    }
                    else
                    {
                        Assert.True(answer.Status == HttpStatusCode.Conflict, answer.ToString());
                        Assert.Contains(Reason(answer), new[] { "auction_not_live", "bid_too_low", "own_auction", "insufficient_funds" });
                        if (user == sellers[index] && view.GetProperty("state").GetString() == "live")
                        {
                            Assert.Equal("own_auction", Reason(answer));
                        }
                    }
                    break;
                case Kind.Cancel:
                    var target = step.B % AuctionCount;
                    using (var api = house.Api(sellers[target]))
                    {
                        var cancelled = await api.PostAsync($"/api/auctions/{auctions[target]}/cancel", new { });
                        Assert.True(cancelled.Status == HttpStatusCode.OK || Reason(cancelled) is "has_bids" or "auction_not_live", cancelled.ToString());
                    }
                    break;
                case Kind.Advance:
                    house.Clock.Advance(TimeSpan.FromMinutes(1 + step.C % 12));
                    await SettleDueAsync(auctions);
                    break;
            }
            await AssertHoldsAreTheLeadingBidsAsync(users, auctions);
        }

        house.Clock.Advance(TimeSpan.FromMinutes(40));
        await SettleDueAsync(auctions);
        await AssertHoldsAreTheLeadingBidsAsync(users, auctions);

        using var server = house.Server();
        for (var i = 0; i < AuctionCount; i++)
        {
            var view = await house.AuctionAsync(auctions[i]);
            var reference = $"auction:{auctions[i]}";
            var bids = (await server.GetAsync($"/api/auctions/{auctions[i]}/bids?user={users[0]}")).Body.GetProperty("bids").EnumerateArray().ToList();
            var captures = new List<(string User, JsonElement Entry)>();
            foreach (var u in users)
            {
                var entries = (await server.GetAsync($"/api/wallet/ledger?user={u}&limit=100")).Body.GetProperty("entries").EnumerateArray();
                captures.AddRange(entries.Where(e => e.GetProperty("ref").GetString() == reference && e.GetProperty("kind").GetString() is "capture" or "transfer")
                    .Select(e => (u, e)));
            }
            if (view.GetProperty("sold").GetBoolean())
            {
                var (top, price) = (bids[0].GetProperty("user").GetString()!, bids[0].GetProperty("amount").GetInt64());
                Assert.Equal(top, view.GetProperty("winner").GetString());
                Assert.Equal(price, view.GetProperty("price").GetInt64());
                Assert.True(i != 2 || price >= 150, "sold under the reserve");
                // Paid once: one capture from the winner, one transfer to the seller, both of the price.
                Assert.Equal(2, captures.Count);
                Assert.Contains(captures, c => c.User == top && c.Entry.GetProperty("kind").GetString() == "capture" && c.Entry.GetProperty("amount").GetInt64() == -price);
                Assert.Contains(captures, c => c.User == sellers[i] && c.Entry.GetProperty("kind").GetString() == "transfer" && c.Entry.GetProperty("amount").GetInt64() == price);
                _sold++;
                expected[top] -= price;
                expected[sellers[i]] += price;
            }
            else
            {
                Assert.Empty(captures);
                Assert.True(bids.Count == 0 || i == 2 && bids[0].GetProperty("amount").GetInt64() < 150 || view.GetProperty("state").GetString() == "cancelled",
                    $"unsold with bids: {view}");
            }
        }
        long total = 0;
        foreach (var u in users)
        {
            var (balance, held) = await house.WalletAsync(u);
            Assert.Equal(expected[u], balance);
            Assert.Equal(0, held);
            total += balance;
        }
        Assert.Equal(granted, total); // coins conserved
        await house.AssertConsistentAsync();
    }

    /// <summary>Every auction past its end (and not cancelled) is settled before the next step.</summary>
    private async Task SettleDueAsync(string[] auctions)
    {
        foreach (var auction in auctions)
        {
            var view = await house.AuctionAsync(auction);
            if (view.GetProperty("state").GetString() == "ended")
            {
                await house.SettledAsync(auction);
            }
        }
    }

    /// <summary>
    /// Each user's held coins are exactly their maxima on the auctions they lead and that are not yet settled (one hold
    /// per leader), each such price is at most its leader's maximum, and nothing is negative.
    /// </summary>
    private async Task AssertHoldsAreTheLeadingBidsAsync(string[] users, string[] auctions)
    {
        var leading = users.ToDictionary(u => u, _ => 0L);
        foreach (var auction in auctions)
        {
            var view = await house.AuctionAsync(auction);
            if (view.GetProperty("settled_at").ValueKind == JsonValueKind.Null && view.GetProperty("leader").GetString() is { } leader)
            {
                var (modelLeader, max) = _leaderMax[auction];
                Assert.Equal(modelLeader, leader);
                Assert.True(view.GetProperty("price").GetInt64() <= max, $"price above the leader's maximum {max}: {view}");
                leading[leader] += max;
            }
        }
        foreach (var u in users)
        {
            var (balance, held) = await house.WalletAsync(u);
            Assert.True(balance >= held && held >= 0, $"{u}: balance {balance}, held {held}");
            Assert.Equal(leading[u], held);
        }
    }

    private static string? Reason(Answer answer) => answer.Body.ValueKind == JsonValueKind.Object && answer.Body.TryGetProperty("reason", out var r) ? r.GetString() : null;
}
