using System.Globalization;
using System.Net;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Social;

/// <summary>
/// Challenges in the feed: a join (gamification's <c>challenge.joined</c>) becomes a card in the joiner's and their
/// friends' feeds with <c>challenge_joined</c> live on their <c>feed:{id}</c>, and a friend joins from the card; a
/// non-friend sees nothing.
/// </summary>
public abstract class ChallengeFeedTests(SocialFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task A_join_shows_live_in_friends_feeds_as_a_card_to_join_from_and_not_to_others()
    {
        var (ada, bob, cy) = (Users.New("ada"), Users.New("bob"), Users.New("cy"));
        await Chat.BefriendAsync(ada, bob);
        using var server = new ServerApi(Chat.Server.BaseAddress, TestServer.ApiKey);
        var now = DateTimeOffset.UtcNow;
        var created = await server.PostAsync("/api/challenges", new
        {
            title = "10 km week", type = "run." + Guid.NewGuid().ToString("N")[..8], field = "km", goal = 10,
            starts_at = now.AddHours(-1).ToString("o", CultureInfo.InvariantCulture), ends_at = now.AddDays(7).ToString("o", CultureInfo.InvariantCulture),
        });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var challenge = created.Body.GetProperty("id").GetString()!;
        await using var bobWs = await Chat.ConnectAsync(bob, "Bob");
        await bobWs.SubscribeAsync($"feed:{bob}");
        await using var cyWs = await Chat.ConnectAsync(cy, "Cy");
        await cyWs.SubscribeAsync($"feed:{cy}");

        using var adaApi = Chat.Api(ada, "Ada");
        Assert.Equal(HttpStatusCode.OK, (await adaApi.PostRawAsync($"/api/challenges/{challenge}/join", null)).Status);

        var joined = (await bobWs.NextAsync(f => f.Type() == "challenge_joined")).GetProperty("data");
        Assert.Equal((ada, "Ada", challenge, "10 km week"),
            (joined.GetProperty("user").GetString(), joined.GetProperty("name").GetString(), joined.GetProperty("challenge").GetString(),
                joined.GetProperty("title").GetString()));
        var card = (await bobWs.NextAsync(f => f.Type() == "friend_activity")).GetProperty("data").GetProperty("activity");
        Assert.Equal(("challenge.joined", "Ada joined the challenge “10 km week”", joined.GetProperty("activity").GetString()),
            (card.GetProperty("type").GetString(), card.GetProperty("title").GetString(), card.GetProperty("id").GetString()));

        // Bob joins from the card: its data names the challenge.
        using var bobApi = Chat.Api(bob, "Bob");
        var fromCard = card.GetProperty("data").GetProperty("challenge").GetString();
        var bobJoin = await bobApi.PostRawAsync($"/api/challenges/{fromCard}/join", null);
        Assert.Equal(2, Social.Ok(bobJoin).GetProperty("participant_count").GetInt64());
        Assert.Equal(bob, (await bobWs.NextAsync(f => f.Type() == "challenge_joined")).GetProperty("data").GetProperty("user").GetString());

        // A joined-again changes nothing: no second card.
        await adaApi.PostRawAsync($"/api/challenges/{challenge}/join", null);
        var feed = Social.Ok(await bobApi.GetAsync("/api/feed")).GetProperty("activities").EnumerateArray()
            .Where(a => a.GetProperty("type").GetString() == "challenge.joined").Select(a => a.GetProperty("user").GetString()).ToList();
        Assert.Equal([bob, ada], feed);

        // Cy is nobody's friend here: nothing live, nothing in the feed.
        using var cyApi = Chat.Api(cy, "Cy");
        Assert.Empty(Social.Ok(await cyApi.GetAsync("/api/feed")).GetProperty("activities").EnumerateArray());
        Assert.Empty(await cyWs.PendingAfterSyncAsync(f => f.Type() is "challenge_joined" or "friend_activity"));
    }

    [Fact]
    public async Task A_joins_card_is_in_the_feed_when_the_join_answers_and_below_what_the_joiner_posts_next()
    {
        var ada = Users.New("ada");
        using var server = new ServerApi(Chat.Server.BaseAddress, TestServer.ApiKey);
        var now = DateTimeOffset.UtcNow;
        var challenge = (await server.PostAsync("/api/challenges", new
        {
            title = "Plank month", type = "plank." + Guid.NewGuid().ToString("N")[..8], goal = 30,
            starts_at = now.AddHours(-1).ToString("o", CultureInfo.InvariantCulture), ends_at = now.AddDays(30).ToString("o", CultureInfo.InvariantCulture),
        })).Body.GetProperty("id").GetString()!;

        using var adaApi = Chat.Api(ada, "Ada");
        Assert.Equal(HttpStatusCode.OK, (await adaApi.PostRawAsync($"/api/challenges/{challenge}/join", null)).Status);
        Social.Ok(await adaApi.PostAsync("/api/activities", new { type = "plank", title = "First plank" }));

        var feed = Social.Ok(await adaApi.GetAsync("/api/feed")).GetProperty("activities").EnumerateArray()
            .Select(a => a.GetProperty("type").GetString()).ToList();
        Assert.Equal(["plank", "challenge.joined"], feed); // newest first: the join came first
    }
}

public sealed class SqliteChallengeFeedTests(SqliteSocial fixture) : ChallengeFeedTests(fixture), IClassFixture<SqliteSocial>;

public sealed class PostgresChallengeFeedTests(PostgresSocial fixture) : ChallengeFeedTests(fixture), IClassFixture<PostgresSocial>;
