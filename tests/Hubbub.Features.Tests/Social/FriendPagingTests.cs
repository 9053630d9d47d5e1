using System.Net;
using System.Text.Json;

namespace Hubbub.Features.Tests.Social;

public sealed class FriendPagingSqliteTests(SqliteSocial fixture) : FriendPagingTests(fixture), IClassFixture<SqliteSocial>;

public sealed class FriendPagingPostgresTests(PostgresSocial fixture) : FriendPagingTests(fixture), IClassFixture<PostgresSocial>;

/// <summary>
/// FEATURES.md, "Always": every list is bounded and paged. <c>GET /api/friends</c> (and <c>social.friends</c>) answers
/// <c>limit</c> of each of its three lists; <c>next_cursor</c> goes on with the friends, <c>incoming_next_cursor</c> and
/// <c>outgoing_next_cursor</c> with the requests, each page holding only the list its cursor names.
/// </summary>
public abstract class FriendPagingTests(SocialFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    private static List<string> People(JsonElement page, string list) =>
        page.GetProperty(list).EnumerateArray().Select(p => p.GetProperty("user").GetString()!).ToList();

    private static string? Cursor(JsonElement page, string field) =>
        page.GetProperty(field).ValueKind == JsonValueKind.Null ? null : page.GetProperty(field).GetString();

    [Fact]
    public async Task Each_list_is_read_in_pages_that_end_with_a_null_cursor()
    {
        var ada = Users.New("ada");
        using var adaApi = Chat.Api(ada, "Ada");
        var friends = Enumerable.Range(0, 5).Select(i => Users.New($"f{i}")).ToList();
        foreach (var friend in friends)
        {
            using var api = Chat.Api(friend);
            Social.Ok(await api.PostAsync("/api/friends", new { user = ada }));
            Assert.Equal("friends", Social.Ok(await adaApi.PostAsync("/api/friends", new { user = friend })).GetProperty("status").GetString());
        }
        var askers = Enumerable.Range(0, 3).Select(i => Users.New($"in{i}")).ToList();
        foreach (var asker in askers)
        {
            using var api = Chat.Api(asker);
            Social.Ok(await api.PostAsync("/api/friends", new { user = ada }));
        }
        var asked = Enumerable.Range(0, 3).Select(i => Users.New($"out{i}")).ToList();
        foreach (var other in asked)
        {
            Social.Ok(await adaApi.PostAsync("/api/friends", new { user = other }));
        }

        var first = Social.Ok(await adaApi.GetAsync("/api/friends?limit=2"));
        Assert.Equal((2, 2, 2), (People(first, "friends").Count, People(first, "incoming").Count, People(first, "outgoing").Count));
        Assert.Equal(People(Social.Ok(await adaApi.GetAsync("/api/friends")), "friends").Take(2), People(first, "friends"));

        // Each cursor goes on with its own list alone; the answer's own name (?cursor=) works as ?before= does.
        async Task<List<string>> RestAsync(string? cursor, string list, string param, string follow = "next_cursor")
        {
            var seen = new List<string>();
            for (var pages = 0; cursor is not null; pages++)
            {
                Assert.True(pages < 10, "the cursor never ended");
                var page = Social.Ok(await adaApi.GetAsync($"/api/friends?limit=2&{param}={Uri.EscapeDataString(cursor)}"));
                foreach (var other in new[] { "friends", "incoming", "outgoing" }.Where(l => l != list))
                {
                    Assert.Empty(People(page, other));
                }
                seen.AddRange(People(page, list));
                cursor = Cursor(page, follow);
                Assert.Equal(cursor, Cursor(page, "next_cursor")); // both name where the one list goes on
            }
            return seen;
        }
        var allFriends = People(first, "friends").Concat(await RestAsync(Cursor(first, "next_cursor"), "friends", "before")).ToList();
        Assert.Equal(friends.Order(), allFriends.Order());
        var allIncoming = People(first, "incoming").Concat(await RestAsync(Cursor(first, "incoming_next_cursor"), "incoming", "cursor")).ToList();
        Assert.Equal(askers.Order(), allIncoming.Order());
        var allOutgoing = People(first, "outgoing").Concat(await RestAsync(Cursor(first, "outgoing_next_cursor"), "outgoing", "before")).ToList();
        Assert.Equal(asked.Order(), allOutgoing.Order());
        // A client that follows a request list's own field from the first page reads the whole list too.
        Assert.Equal(allIncoming, People(first, "incoming").Concat(
            await RestAsync(Cursor(first, "incoming_next_cursor"), "incoming", "before", "incoming_next_cursor")).ToList());
        Assert.Equal(allOutgoing, People(first, "outgoing").Concat(
            await RestAsync(Cursor(first, "outgoing_next_cursor"), "outgoing", "before", "outgoing_next_cursor")).ToList());

        // A page that holds the rest says so.
        var whole = Social.Ok(await adaApi.GetAsync("/api/friends?limit=5"));
        Assert.Equal(5, People(whole, "friends").Count);
        Assert.Null(Cursor(whole, "next_cursor"));
        Assert.Null(Cursor(whole, "incoming_next_cursor"));

        // The command pages alike.
        await using var adaWs = await Chat.ConnectAsync(ada, "Ada");
        var viaWs = await adaWs.OkAsync("social.friends", new { limit = 2 });
        Assert.Equal(People(first, "friends"), People(viaWs, "friends"));
        Assert.Equal(Cursor(first, "next_cursor"), Cursor(viaWs, "next_cursor"));

        foreach (var bad in new[] { "limit=0", "limit=1001", "limit=x", "before=nonsense", "before=f.12.x&cursor=i.12.x", "before=z.1.x", "before=f.-1.x" })
        {
            var refused = await adaApi.GetAsync($"/api/friends?{bad}");
            Assert.True(refused.Status == HttpStatusCode.BadRequest, $"{bad}: {refused}");
            Assert.Equal("bad_request", refused.Code);
        }
        Assert.Equal("bad_request", (await adaWs.RequestAsync("social.friends", new { before = "nonsense" })).ErrorCode());
        Assert.Equal(HttpStatusCode.BadRequest, (await adaApi.GetAsync("/api/friends?before=f.12.a%01b")).Status); // no user id has one

        // A well-formed cursor no page gave is a place in its list: here before any friendship began, so nothing.
        var invented = await adaApi.GetAsync("/api/friends?before=f.123.x");
        Assert.True(invented.Status == HttpStatusCode.OK, invented.ToString());
        Assert.Empty(People(invented.Body, "friends"));
    }
}
