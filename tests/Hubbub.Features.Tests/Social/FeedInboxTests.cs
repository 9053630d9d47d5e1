using System.Net;
using Hubbub.Storage;
using Hubbub.Storage.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests.Social;

/// <summary>
/// The feed's inbox (fan-out on write, <c>social_feed</c>) on a real server: a new friend's past activities enter the
/// feed once, leave with the friendship (removal or block) and come back once with a new one, and the inbox rows go
/// with them; activities of the same millisecond page in a strict order; and the migration that made the inbox fills it
/// from an existing database's activities and friendships.
/// </summary>
public abstract class FeedInboxTests(SocialFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    private IDatabase Database => Chat.Server.Services.GetRequiredService<IDatabase>();

    [Fact]
    public async Task A_new_friends_past_activities_enter_the_feed_once_leave_with_the_friendship_and_come_back_once_and_a_delete_leaves_every_inbox()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = Chat.Api(ada);
        using var bobApi = Chat.Api(bob);
        var posted = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            posted.Insert(0, (await adaApi.PostActivityAsync($"before {i}")).GetProperty("id").GetString()!);
        }
        Assert.Empty(Social.Ids(Social.Ok(await bobApi.GetAsync("/api/feed"))));

        await Chat.BefriendAsync(ada, bob);
        Assert.Equal(posted, Social.Ids(Social.Ok(await bobApi.GetAsync("/api/feed"))));
        Assert.Equal(3, await InboxRowsAsync(bob, ada));

        Social.Ok(await bobApi.DeleteAsync($"/api/friends/{ada}"));
        Assert.Empty(Social.Ids(Social.Ok(await bobApi.GetAsync("/api/feed"))));
        Assert.Equal(0, await InboxRowsAsync(bob, ada)); // gone from the inbox, not merely filtered out

        await Chat.BefriendAsync(bob, ada);
        Assert.Equal(posted, Social.Ids(Social.Ok(await bobApi.GetAsync("/api/feed")))); // once each, no duplicate
        var bobs = (await bobApi.PostActivityAsync("mine")).GetProperty("id").GetString()!;
        Assert.Equal(posted.Prepend(bobs), Social.Ids(Social.Ok(await adaApi.GetAsync("/api/feed"))));

        // A deleted activity leaves every inbox it was in (the author's and the friend's), not only the pages.
        Assert.Equal(HttpStatusCode.NoContent, (await adaApi.DeleteAsync($"/api/activities/{posted[0]}")).Status);
        posted.RemoveAt(0);
        Assert.Equal(posted.Prepend(bobs), Social.Ids(Social.Ok(await bobApi.GetAsync("/api/feed"))));
        Assert.Equal((2L, 2L), (await InboxRowsAsync(bob, ada), await InboxRowsAsync(ada, ada)));

        Assert.Equal(HttpStatusCode.OK, (await adaApi.PostAsync("/api/blocks", new { user = bob })).Status);
        Assert.Equal(new[] { bobs }, Social.Ids(Social.Ok(await bobApi.GetAsync("/api/feed"))));
        Assert.Equal(posted, Social.Ids(Social.Ok(await adaApi.GetAsync("/api/feed"))));
        Assert.Equal((0L, 0L), (await InboxRowsAsync(bob, ada), await InboxRowsAsync(ada, bob)));
    }

    [Fact]
    public async Task Activities_of_the_same_millisecond_page_in_a_strict_order_none_lost_or_repeated()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await Chat.BefriendAsync(ada, bob);
        using var adaApi = Chat.Api(ada);
        using var bobApi = Chat.Api(bob);
        var posted = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            posted.Insert(0, (await (i % 3 == 0 ? bobApi : adaApi).PostActivityAsync($"same time {i}")).GetProperty("id").GetString()!);
        }
        await Database.InTransactionAsync(tx => tx.ExecuteAsync(
            "UPDATE social_activities SET created_ms = 1764892800000 WHERE user_id = @ada OR user_id = @bob", new { ada, bob }));

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = Social.Ok(await bobApi.GetAsync($"/api/feed?limit=2{(cursor is null ? "" : $"&before={cursor}")}"));
            Assert.All(page.GetProperty("activities").EnumerateArray(),
                a => Assert.Equal(new DateTime(2025, 12, 5, 0, 0, 0, DateTimeKind.Utc), a.GetProperty("created_at").GetDateTime()));
            seen.AddRange(Social.Ids(page));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(posted, seen);
    }

    [Fact]
    public async Task The_inbox_migration_fills_every_feed_from_an_existing_databases_activities_and_friendships()
    {
        var (ada, bob, cat) = (Users.New("ada"), Users.New("bob"), Users.New("cat"));
        await Chat.BefriendAsync(ada, bob);
        using var adaApi = Chat.Api(ada);
        using var bobApi = Chat.Api(bob);
        using var catApi = Chat.Api(cat);
        await adaApi.PostActivityAsync("ada 1");
        await bobApi.PostActivityAsync("bob 1");
        await catApi.PostActivityAsync("cat 1"); // a stranger's: in nobody's feed but cat's
        await adaApi.PostActivityAsync("ada 2");
        var before = await FeedsAsync(adaApi, bobApi, catApi);
        Assert.Equal(new[] { 3, 3, 1 }, before.Select(ids => ids.Count));

        // The database as version 1 left it: no inbox, the journal without migration 2. Then the server's own runner.
        await Database.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync("DROP TABLE social_feed");
            return await tx.ExecuteAsync("DELETE FROM hubbub_migrations WHERE name LIKE 'feed inbox:%'");
        });
        var report = await Chat.Server.Services.GetRequiredService<MigrationRunner>().ApplyAsync();
        Assert.Contains(report.Applied, a => a.Migration.Name.StartsWith("feed inbox:", StringComparison.Ordinal));

        Assert.Equal(before, await FeedsAsync(adaApi, bobApi, catApi));
        Assert.Equal((2L, 1L, 0L), (await InboxRowsAsync(bob, ada), await InboxRowsAsync(ada, bob), await InboxRowsAsync(bob, cat)));
    }

    private static async Task<List<List<string>>> FeedsAsync(params ApiClient[] readers)
    {
        var feeds = new List<List<string>>();
        foreach (var api in readers)
        {
            feeds.Add(Social.Ids(Social.Ok(await api.GetAsync("/api/feed"))));
        }
        return feeds;
    }

    private Task<long> InboxRowsAsync(string reader, string author) =>
        Database.ReadAsync(tx => tx.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM social_feed WHERE user_id = @reader AND author_id = @author", new { reader, author }));
}

public sealed class SqliteFeedInboxTests(SqliteSocial fixture) : FeedInboxTests(fixture), IClassFixture<SqliteSocial>;

public sealed class PostgresFeedInboxTests(PostgresSocial fixture) : FeedInboxTests(fixture), IClassFixture<PostgresSocial>;
