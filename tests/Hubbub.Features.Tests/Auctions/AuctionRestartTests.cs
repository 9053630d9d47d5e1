using System.Net;
using Hubbub.Features.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Features.Tests.Auctions;

/// <summary>
/// An auction whose end passed while every node was down ends when a node starts, once, with the bids made before the
/// end only; its money moves exactly as if it had ended on time.
/// </summary>
public sealed class AuctionRestartTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_auction_that_ended_while_every_node_was_down_ends_on_start(string engine)
    {
        await using var database = await ChatDatabase.CreateAsync(engine);
        var directory = Directory.CreateTempSubdirectory("hubbub-auction-restart-").FullName;
        var settings = new Dictionary<string, string?>(database.Settings) { ["Hubbub:DataDirectory"] = directory, ["Kit:PollMs"] = "200" };
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var (seller, ada, bob) = (Users.New("seller"), Users.New("ada"), Users.New("bob"));
        string auction;
        using (var first = new TestServer(settings, new FakeTimeProvider(start)))
        {
            using var server = new ServerApi(first.BaseAddress, TestServer.ApiKey);
            foreach (var user in new[] { ada, bob })
            {
                Assert.Equal(HttpStatusCode.Created, (await server.PostAsync("/api/wallet/grants", new { user, currency = "coins", amount = 100, id = "g-" + user })).Status);
            }
            var created = await server.PostAsync("/api/auctions", new
            {
                seller, title = "Clock", currency = "coins", starting_bid = 10, min_increment = 5,
                starts_at = AuctionHouse.Iso(start), ends_at = AuctionHouse.Iso(start.AddMinutes(10)),
            });
            Assert.Equal(HttpStatusCode.Created, created.Status);
            auction = created.Body.GetProperty("id").GetString()!;
            Assert.Equal(HttpStatusCode.Created, (await server.PostAsync($"/api/auctions/{auction}/bids", new { user = ada, amount = 50 })).Status);
            Assert.Equal(HttpStatusCode.Created, (await server.PostAsync($"/api/auctions/{auction}/bids", new { user = bob, amount = 70 })).Status);
        } // every node down; the end passes

        // The next node starts an hour later with its clock frozen: only its start can end the auction.
        using var second = new TestServer(settings, new FakeTimeProvider(start.AddHours(1)));
        using var api = new ServerApi(second.BaseAddress, TestServer.ApiKey);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        Answer view;
        while ((view = await api.GetAsync($"/api/auctions/{auction}?user={ada}")).Body.GetProperty("settled_at").ValueKind == System.Text.Json.JsonValueKind.Null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the auction did not end on start");
            await Task.Delay(20);
        }
        Assert.Equal(bob, view.Body.GetProperty("winner").GetString());
        Assert.Equal(70, view.Body.GetProperty("price").GetInt64());
        Assert.Equal(2, view.Body.GetProperty("bid_count").GetInt64());
        var late = await api.PostAsync($"/api/auctions/{auction}/bids", new { user = ada, amount = 90 });
        Assert.Equal("auction_not_live", late.Body.GetProperty("reason").GetString());

        async Task<(long, long)> WalletOf(string user)
        {
            var w = (await api.GetAsync($"/api/wallet?user={user}")).Body;
            return (w.GetProperty("balances").TryGetProperty("coins", out var b) ? b.GetInt64() : 0, w.GetProperty("held").TryGetProperty("coins", out var h) ? h.GetInt64() : 0);
        }
        Assert.Equal((100L, 0L), await WalletOf(ada));
        Assert.Equal((30L, 0L), await WalletOf(bob));
        Assert.Equal((70L, 0L), await WalletOf(seller));
        var check = await api.GetAsync("/api/wallet/check");
        Assert.True(check.Body.GetProperty("ok").GetBoolean(), check.ToString());
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the stopping server; the OS cleans temp folders.
        }
    }
}
