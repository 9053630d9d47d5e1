using System.Net;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Social;

/// <summary>A server whose users have at most two friends and two open friend requests each way.</summary>
public abstract class SmallCircleFixture : FeatureServerFixture
{
    /// <inheritdoc />
    protected override Dictionary<string, string?> Settings
    {
        get
        {
            var settings = FastKit;
            settings["Social:MaxFriends"] = "2";
            return settings;
        }
    }
}

public sealed class SqliteSmallCircle : SmallCircleFixture
{
    public override string Engine => "sqlite";
}

public sealed class PostgresSmallCircle : SmallCircleFixture
{
    public override string Engine => "postgres";
}

public sealed class FriendLimitSqliteTests(SqliteSmallCircle fixture) : FriendLimitTests(fixture), IClassFixture<SqliteSmallCircle>;

public sealed class FriendLimitPostgresTests(PostgresSmallCircle fixture) : FriendLimitTests(fixture), IClassFixture<PostgresSmallCircle>;

/// <summary>
/// FEATURES.md, "Always": every list is bounded. <c>GET /api/friends</c> lists friends (bounded by
/// <c>Social:MaxFriends</c>) and the open requests in and out, which had no bound: anyone could send requests without
/// end, or have them sent to them. Now each way is bounded like the friends.
/// </summary>
public abstract class FriendLimitTests(SmallCircleFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task Open_requests_are_bounded_each_way_like_friends()
    {
        var (ada, bob, cy, dee) = (Users.New("ada"), Users.New("bob"), Users.New("cy"), Users.New("dee"));
        using var adaApi = Chat.Api(ada);
        Assert.Equal(HttpStatusCode.OK, (await adaApi.PostAsync("/api/friends", new { user = bob })).Status);
        Assert.Equal(HttpStatusCode.OK, (await adaApi.PostAsync("/api/friends", new { user = cy })).Status);
        var third = await adaApi.PostAsync("/api/friends", new { user = dee });
        Assert.True(third.Status == HttpStatusCode.RequestEntityTooLarge, third.ToString());
        Assert.Equal("too_large", third.Code);
        Assert.Equal(HttpStatusCode.OK, (await adaApi.PostAsync("/api/friends", new { user = bob })).Status); // asking again: no change
        Assert.Equal(2, (await adaApi.GetAsync("/api/friends")).Body.GetProperty("outgoing").GetArrayLength());

        // Into one user: two askers wait, a third is refused until one of them is answered.
        var (eve, fay, gus) = (Users.New("eve"), Users.New("fay"), Users.New("gus"));
        using var deeApi = Chat.Api(dee);
        using var gusApi = Chat.Api(gus);
        foreach (var asker in new[] { eve, fay })
        {
            using var api = Chat.Api(asker);
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("/api/friends", new { user = dee })).Status);
        }
        Assert.Equal("too_large", (await gusApi.PostAsync("/api/friends", new { user = dee })).Code);
        Assert.Equal("friends", (await deeApi.PostAsync("/api/friends", new { user = eve })).Body.GetProperty("status").GetString());
        Assert.Equal("requested", (await gusApi.PostAsync("/api/friends", new { user = dee })).Body.GetProperty("status").GetString());
        var lists = (await deeApi.GetAsync("/api/friends")).Body;
        Assert.Equal(1, lists.GetProperty("friends").GetArrayLength());
        Assert.Equal(2, lists.GetProperty("incoming").GetArrayLength());
    }
}
