using System.Net;

namespace Hubbub.Features.Tests.Auctions;

/// <summary>
/// An admin (a token with role <c>admin</c>) may do on channels what the server's API key does, but an unknown id is
/// <c>not_found</c> to an admin as to anyone (FEATURES.md "Who may call what", "Always"): the feature channels' rules
/// still run for admins, and only their refusals are overridden.
/// </summary>
public sealed class AdminChannelTests(SqliteAuctionHouse house) : IClassFixture<SqliteAuctionHouse>
{
    [Fact]
    public async Task An_admin_subscribes_where_others_may_not_but_an_unknown_id_is_still_not_found()
    {
        var owner = Users.New("owner");
        var auction = await house.CreateAsync(Users.New("seller"), minutes: 30);
        using var ownerApi = house.Api(owner);
        var room = await ownerApi.PostAsync("/api/rooms", new { title = "Study group" });
        Assert.True(room.Status == HttpStatusCode.Created, room.ToString());
        var roomId = room.Body.GetProperty("id").GetString();
        await using var admin = await WsClient.ConnectAsync(house.Chat.Server.WebSocketUri(
            AuctionHouse.Token(Users.New("admin"), "Root", roles: ["admin"])));

        // What the API key may do: watch an existing auction, another user's channel, a room one is no member of.
        Assert.Equal("live", (await admin.SubscribeAsync($"auction:{auction}")).GetProperty("state").GetProperty("state").GetString());
        await admin.SubscribeAsync($"user:{owner}");
        await admin.SubscribeAsync($"room:{roomId}");

        foreach (var unknown in new[]
                 {
                     "auction:ffffffffffffffff", "auctions:nope", "leaderboard:nope", "challenge:nope", "venue:nope",
                     "room:nope", "conversation:987654321",
                 })
        {
            var answer = await admin.RequestAsync("subscribe", new { channel = unknown });
            Assert.True(answer.Type() == "error" && answer.ErrorCode() == "not_found", $"{unknown}: {answer}");
            // Nor does an admin's publish start a stream there.
            var published = await admin.RequestAsync("publish", new { channel = unknown, data = new { x = 1 } });
            Assert.True(published.Type() == "error" && published.ErrorCode() == "not_found", $"publish {unknown}: {published}");
        }
        // An existing one takes an admin's publish, as the API key's.
        Assert.True((await admin.OkAsync("publish", new { channel = $"auction:{auction}", data = new { note = "hi" } })).GetProperty("offset").GetInt64() > 0);

        // The auction house has one lobby: any other auctions: channel is no channel, for everyone.
        await using var eve = await house.ConnectAsync(Users.New("eve"));
        Assert.Equal("not_found", (await eve.RequestAsync("subscribe", new { channel = "auctions:nope" })).ErrorCode());
    }
}
