using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Social;

public sealed class FeedHistorySqliteTests(SqliteSocial fixture) : FeedHistoryTests(fixture), IClassFixture<SqliteSocial>;

public sealed class FeedHistoryPostgresTests(PostgresSocial fixture) : FeedHistoryTests(fixture), IClassFixture<PostgresSocial>;

/// <summary>A server whose <c>feed</c> namespace keeps one publication per channel (<c>Hubbub:Namespaces:feed:HistorySize</c>).</summary>
public sealed class ShortFeedHistory : SocialFixture
{
    public override string Engine => "sqlite";

    /// <inheritdoc />
    protected override Dictionary<string, string?> Settings => new(FastKit) { ["Hubbub:Namespaces:feed:HistorySize"] = "1" };
}

/// <summary>
/// What a <c>feed:{id}</c> channel's history (the <c>history</c> command, a subscribe's recovery) keeps: the
/// <c>friend_activity</c> publications it delivered, also after an unfriend, a block and the activity's deletion,
/// while the feed itself shows none of them; and an app shortens it with the <c>feed</c> namespace's history settings.
/// </summary>
public abstract class FeedHistoryTests(SocialFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    [Fact]
    public async Task A_feed_history_keeps_what_it_delivered_after_an_unfriend_a_block_and_a_deletion()
    {
        var (ada, bob, cat) = (Users.New("ada"), Users.New("bob"), Users.New("cat"));
        await Chat.BefriendAsync(ada, bob);
        await Chat.BefriendAsync(cat, bob);
        using var adaApi = Chat.Api(ada);
        using var catApi = Chat.Api(cat);
        using var bobApi = Chat.Api(bob);
        var kept = (await adaApi.PostActivityAsync("unfriended later")).GetProperty("id").GetString()!;
        var deleted = (await adaApi.PostActivityAsync("deleted later")).GetProperty("id").GetString()!;
        var blocked = (await catApi.PostActivityAsync("blocked later")).GetProperty("id").GetString()!;
        await using var bobWs = await Chat.ConnectAsync(bob);
        await DeliveredAsync(bobWs, bob, [kept, deleted, blocked]);

        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await adaApi.DeleteAsync($"/api/activities/{deleted}")).Status);
        Social.Ok(await bobApi.DeleteAsync($"/api/friends/{ada}"));
        Social.Ok(await bobApi.PostAsync("/api/blocks", new { user = cat }));

        Assert.Empty(Social.Ids(Social.Ok(await bobApi.GetAsync("/api/feed")))); // the feed checks on every read
        var history = await bobWs.OkAsync("history", new { channel = $"feed:{bob}", limit = 100 });
        var delivered = FriendActivities(history);
        Assert.Equal(new Dictionary<string, string> { [kept] = "unfriended later", [deleted] = "deleted later", [blocked] = "blocked later" },
            delivered);
    }

    /// <summary>Waits (bounded) until <paramref name="user"/>'s feed history holds <paramref name="ids"/>' <c>friend_activity</c>.</summary>
    internal static async Task DeliveredAsync(WsClient ws, string user, string[] ids)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var history = await ws.OkAsync("history", new { channel = $"feed:{user}", limit = 100 });
            if (ids.All(FriendActivities(history).ContainsKey))
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"feed:{user} never delivered {string.Join(", ", ids)}");
    }

    /// <summary>The history's <c>friend_activity</c> publications: activity id → title.</summary>
    internal static Dictionary<string, string> FriendActivities(JsonElement history) =>
        history.GetProperty("publications").EnumerateArray()
            .Where(p => p.GetProperty("type").GetString() == "friend_activity")
            .Select(p => p.GetProperty("data").GetProperty("activity"))
            .ToDictionary(a => a.GetProperty("id").GetString()!, a => a.GetProperty("title").GetString()!);
}

public sealed class ShortFeedHistoryTests(ShortFeedHistory fixture) : IClassFixture<ShortFeedHistory>
{
    [Fact]
    public async Task An_app_shortens_a_feed_history_with_the_feed_namespace_settings()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await fixture.Chat.BefriendAsync(ada, bob);
        using var adaApi = fixture.Chat.Api(ada);
        await adaApi.PostActivityAsync("first");
        var second = (await adaApi.PostActivityAsync("second")).GetProperty("id").GetString()!;
        await using var bobWs = await fixture.Chat.ConnectAsync(bob);
        await FeedHistoryTests.DeliveredAsync(bobWs, bob, [second]);
        var history = await bobWs.OkAsync("history", new { channel = $"feed:{bob}", limit = 100 });
        Assert.Single(history.GetProperty("publications").EnumerateArray()); // HistorySize 1: the newest alone
        Assert.Equal(["second"], [.. FeedHistoryTests.FriendActivities(history).Values]);
    }
}
