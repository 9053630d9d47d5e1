using Hubbub.Storage;
using Hubbub.Storage.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests.Social;

public sealed class SocialForeignKeySqliteTests(SqliteSocial fixture) : SocialForeignKeyTests(fixture), IClassFixture<SqliteSocial>;

public sealed class SocialForeignKeyPostgresTests(PostgresSocial fixture) : SocialForeignKeyTests(fixture), IClassFixture<PostgresSocial>;

/// <summary>
/// Social migration 4: likes and comments belong to their activity (a foreign key, <c>ON DELETE CASCADE</c>), so no
/// delete, through the API or straight in the database, leaves one behind and none can be stored for a missing activity;
/// the migration drops the orphans an earlier version may have left and keeps every other row with its id.
/// </summary>
public abstract class SocialForeignKeyTests(SocialFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    private IDatabase Database => Chat.Server.Services.GetRequiredService<IDatabase>();

    private Task<(long Likes, long Comments)> RowsOfAsync(string activity) => Database.ReadAsync(async tx =>
        (await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM social_likes WHERE activity_id = @activity", new { activity }),
         await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM social_comments WHERE activity_id = @activity", new { activity })));

    private async Task<string> ActivityWithReactionsAsync(string author, string friend)
    {
        using var authorApi = Chat.Api(author);
        using var friendApi = Chat.Api(friend);
        var id = (await authorApi.PostActivityAsync("Long ride")).GetProperty("id").GetString()!;
        Social.Ok(await friendApi.PostAsync($"/api/activities/{id}/likes", new { }));
        Social.Ok(await authorApi.PostAsync($"/api/activities/{id}/likes", new { }));
        Social.Ok(await friendApi.PostAsync($"/api/activities/{id}/comments", new { text = "Nice" }));
        Social.Ok(await authorApi.PostAsync($"/api/activities/{id}/comments", new { text = "Thanks" }));
        Assert.Equal((2L, 2L), await RowsOfAsync(id));
        return id;
    }

    [Fact]
    public async Task Deleting_an_activity_through_the_api_or_in_the_database_leaves_no_likes_or_comments()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await Chat.BefriendAsync(ada, bob);

        var viaApi = await ActivityWithReactionsAsync(ada, bob);
        using (var adaApi = Chat.Api(ada))
        {
            Assert.True((await adaApi.DeleteAsync($"/api/activities/{viaApi}")).Status is System.Net.HttpStatusCode.OK or System.Net.HttpStatusCode.NoContent);
        }
        Assert.Equal((0L, 0L), await RowsOfAsync(viaApi));

        // A delete that bypasses the service (an operator's SQL, a retention job) is cascaded by the database itself.
        var inSql = await ActivityWithReactionsAsync(ada, bob);
        await Database.InTransactionAsync(tx => tx.ExecuteAsync("DELETE FROM social_activities WHERE id = @inSql", new { inSql }));
        Assert.Equal((0L, 0L), await RowsOfAsync(inSql));
    }

    [Fact]
    public async Task A_like_or_comment_of_a_missing_activity_cannot_be_stored()
    {
        var missing = "missing-" + Guid.NewGuid().ToString("N")[..8];
        await Assert.ThrowsAnyAsync<Exception>(() => Database.InTransactionAsync(tx => tx.ExecuteAsync(
            "INSERT INTO social_likes (activity_id, user_id, created_ms) VALUES (@missing, 'ada', 1)", new { missing })));
        await Assert.ThrowsAnyAsync<Exception>(() => Database.InTransactionAsync(tx => tx.ExecuteAsync(
            "INSERT INTO social_comments (activity_id, user_id, text, created_ms) VALUES (@missing, 'ada', 'x', 1)", new { missing })));
        Assert.Equal((0L, 0L), await RowsOfAsync(missing));
    }

    [Fact]
    public async Task The_migration_drops_the_orphans_an_earlier_version_left_and_keeps_every_other_row_with_its_id()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await Chat.BefriendAsync(ada, bob);
        var kept = await ActivityWithReactionsAsync(ada, bob);
        var orphan = "gone-" + Guid.NewGuid().ToString("N")[..8];
        var commentIds = await Database.ReadAsync(async tx => (await tx.QueryAsync<long>(
            "SELECT id FROM social_comments WHERE activity_id = @kept ORDER BY id", new { kept })).ToList());

        // The two tables as migration 3 left them (no foreign key), the journal without 4, and an orphan of each kind.
        await Database.InTransactionAsync(async tx =>
        {
            await tx.ExecuteAsync(fixture.Engine == "sqlite"
                ? """
                  CREATE TABLE social_likes_v3 (activity_id TEXT NOT NULL, user_id TEXT NOT NULL, created_ms BIGINT NOT NULL, PRIMARY KEY (activity_id, user_id));
                  INSERT INTO social_likes_v3 SELECT activity_id, user_id, created_ms FROM social_likes;
                  DROP TABLE social_likes;
                  ALTER TABLE social_likes_v3 RENAME TO social_likes;
                  CREATE TABLE social_comments_v3 (id INTEGER PRIMARY KEY, activity_id TEXT NOT NULL, user_id TEXT NOT NULL, text TEXT NOT NULL, created_ms BIGINT NOT NULL);
                  INSERT INTO social_comments_v3 SELECT id, activity_id, user_id, text, created_ms FROM social_comments;
                  DROP TABLE social_comments;
                  ALTER TABLE social_comments_v3 RENAME TO social_comments;
                  CREATE INDEX social_comments_by_activity ON social_comments (activity_id, id);
                  """
                : """
                  ALTER TABLE social_likes DROP CONSTRAINT social_likes_activity;
                  ALTER TABLE social_comments DROP CONSTRAINT social_comments_activity;
                  """);
            await tx.ExecuteAsync("DELETE FROM hubbub_migrations WHERE feature = 'social' AND version = 4");
            await tx.ExecuteAsync("INSERT INTO social_likes (activity_id, user_id, created_ms) VALUES (@orphan, @bob, 1)", new { orphan, bob });
            await tx.ExecuteAsync("INSERT INTO social_comments (activity_id, user_id, text, created_ms) VALUES (@orphan, @bob, 'left behind', 1)", new { orphan, bob });
        });
        Assert.Equal((1L, 1L), await RowsOfAsync(orphan));

        var report = await Chat.Server.Services.GetRequiredService<MigrationRunner>().ApplyAsync();
        Assert.Contains(report.Applied, a => a.Migration.Feature == "social" && a.Migration.Version == 4);

        Assert.Equal((0L, 0L), await RowsOfAsync(orphan));
        Assert.Equal((2L, 2L), await RowsOfAsync(kept));
        Assert.Equal(commentIds, await Database.ReadAsync(async tx => (await tx.QueryAsync<long>(
            "SELECT id FROM social_comments WHERE activity_id = @kept ORDER BY id", new { kept })).ToList()));
        using var bobApi = Chat.Api(bob);
        var comments = Social.Ok(await bobApi.GetAsync($"/api/activities/{kept}/comments")).GetProperty("comments");
        Assert.Equal(2, comments.GetArrayLength());

        // After it, the constraint holds again: the database cascades a delete and refuses an orphan.
        await Database.InTransactionAsync(tx => tx.ExecuteAsync("DELETE FROM social_activities WHERE id = @kept", new { kept }));
        Assert.Equal((0L, 0L), await RowsOfAsync(kept));
        await Assert.ThrowsAnyAsync<Exception>(() => Database.InTransactionAsync(tx => tx.ExecuteAsync(
            "INSERT INTO social_likes (activity_id, user_id, created_ms) VALUES (@orphan, @bob, 1)", new { orphan, bob })));
    }
}
