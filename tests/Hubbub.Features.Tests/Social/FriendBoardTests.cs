using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Gamification;

namespace Hubbub.Features.Tests.Social;

/// <summary>
/// Boards among friends (<c>GET /api/leaderboards/{key}/friends</c>): gamification ranks me and my friends as the social
/// feature knows them through the kit's friend graph — a non-friend is left out, a removed friend too, ties share a rank,
/// a server names the user, bad reads are refused.
/// </summary>
public abstract class FriendBoardTests(SocialFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    private static List<(long Rank, string User, double Score)> Rows(JsonElement page) =>
        page.GetProperty("entries").EnumerateArray().Select(e => (e.Long("rank"), e.Str("user"), e.GetProperty("score").GetDouble())).ToList();

    [Fact]
    public async Task Me_and_my_friends_are_ranked_among_ourselves_and_nobody_else_is_listed()
    {
        using var server = Game.Server(Chat);
        var (type, board) = (Game.Fresh("km"), Game.Fresh("km"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Km", source = $"{type}:n" });
        var (me, b, c, stranger) = (Users.New("me"), Users.New("b"), Users.New("c"), Users.New("stranger"));
        await Chat.BefriendAsync(me, b);
        await Chat.BefriendAsync(me, c);
        await Chat.BefriendAsync(stranger, b); // a friend of a friend is not mine
        await server.EventAsync(me, type, new { n = 5 });
        await server.EventAsync(c, type, new { n = 5 }); // ties me, reached later
        await server.EventAsync(b, type, new { n = 10 });
        await server.EventAsync(stranger, type, new { n = 100 });

        using var api = Chat.Api(me);
        var page = Social.Ok(await api.GetAsync($"/api/leaderboards/{board}/friends"));
        Assert.Equal([(1L, b, 10.0), (2L, me, 5.0), (2L, c, 5.0)], Rows(page));
        Assert.Equal(board, page.Str("key"));
        Assert.Equal([(1L, b, 10.0)], Rows(Social.Ok(await api.GetAsync($"/api/leaderboards/{board}/friends?limit=1"))));
        Assert.Equal(Rows(page), Rows(Social.Ok(await server.GetAsync($"/api/leaderboards/{board}/friends?user={me}"))));
        // The whole board ranks everyone: the stranger is first there.
        Assert.Equal(stranger, Rows(Social.Ok(await api.GetAsync($"/api/leaderboards/{board}")))[0].User);

        using var strangerApi = Chat.Api(stranger);
        Assert.Equal([(1L, stranger, 100.0), (2L, b, 10.0)], Rows(Social.Ok(await strangerApi.GetAsync($"/api/leaderboards/{board}/friends"))));

        Social.Ok(await api.DeleteAsync($"/api/friends/{c}"));
        Assert.Equal([(1L, b, 10.0), (2L, me, 5.0)], Rows(Social.Ok(await api.GetAsync($"/api/leaderboards/{board}/friends"))));

        var loner = Users.New("loner");
        using var lonerApi = Chat.Api(loner);
        Assert.Empty(Rows(Social.Ok(await lonerApi.GetAsync($"/api/leaderboards/{board}/friends")))); // no score, no friends
    }

    [Fact]
    public async Task Bad_reads_of_a_board_among_friends_are_refused()
    {
        using var server = Game.Server(Chat);
        var board = Game.Fresh("daily");
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Daily", source = Game.Fresh("t"), period = "daily" });
        var me = Users.New("me");
        using var api = Chat.Api(me);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/leaderboards/{Game.Fresh("none")}/friends")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/api/leaderboards/{board}/friends?limit=0")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/api/leaderboards/{board}/friends?limit=101")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/api/leaderboards/{board}/friends?period=2026-W01")).Status);
        Assert.Equal("2020-01-02T00:00:00Z", Social.Ok(await api.GetAsync($"/api/leaderboards/{board}/friends?period=2020-01-01")).Str("resets_at"));
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync($"/api/leaderboards/{board}/friends?user={Users.New("other")}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync($"/api/leaderboards/{board}/friends")).Status); // a server names the user
        Assert.Equal(HttpStatusCode.Unauthorized, (await Chat.Anonymous().GetAsync($"/api/leaderboards/{board}/friends")).Status);
    }

    [Fact]
    public async Task The_board_among_friends_reads_in_pages_whose_ties_keep_their_rank()
    {
        using var server = Game.Server(Chat);
        var (type, board) = (Game.Fresh("fp"), Game.Fresh("fp"));
        await server.DefineAsync("/api/leaderboards", new { key = board, name = "Friend pages", source = $"{type}:n" });
        var me = Users.New("me");
        var friends = Enumerable.Range(0, 4).Select(i => Users.New($"f{i}")).ToList();
        foreach (var friend in friends)
        {
            await Chat.BefriendAsync(me, friend);
        }
        await server.EventAsync(friends[0], type, new { n = 9 });
        // A tie is ordered by the millisecond each reached the score, then by user id: two events answered within one
        // millisecond would be listed by id, so the tied ones are a few milliseconds apart.
        await server.EventAsync(friends[1], type, new { n = 7 });
        await Task.Delay(3);
        await server.EventAsync(me, type, new { n = 7 });
        await Task.Delay(3);
        await server.EventAsync(friends[2], type, new { n = 7 });
        await server.EventAsync(friends[3], type, new { n = 1 }); // ranks 1, 2, 2, 2, 5

        using var api = Chat.Api(me);
        var whole = Social.Ok(await api.GetAsync($"/api/leaderboards/{board}/friends?limit=100"));
        Assert.Equal([(1L, friends[0], 9.0), (2L, friends[1], 7.0), (2L, me, 7.0), (2L, friends[2], 7.0), (5L, friends[3], 1.0)], Rows(whole));
        Assert.Equal(JsonValueKind.Null, whole.GetProperty("next_cursor").ValueKind);
        var first = Social.Ok(await api.GetAsync($"/api/leaderboards/{board}/friends?limit=3"));
        Assert.Equal(Rows(whole)[..3], Rows(first));
        var second = Social.Ok(await api.GetAsync($"/api/leaderboards/{board}/friends?limit=3&cursor={first.GetProperty("next_cursor").GetString()}"));
        Assert.Equal(Rows(whole)[3..], Rows(second)); // the 2, 2 | 2 split keeps the tie's rank
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
        Assert.Empty(Rows(Social.Ok(await api.GetAsync($"/api/leaderboards/{board}/friends?cursor=900"))));
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/api/leaderboards/{board}/friends?cursor=abc")).Status);
    }
}

public sealed class SqliteFriendBoardTests(SqliteSocial fixture) : FriendBoardTests(fixture), IClassFixture<SqliteSocial>;

public sealed class PostgresFriendBoardTests(PostgresSocial fixture) : FriendBoardTests(fixture), IClassFixture<PostgresSocial>;
