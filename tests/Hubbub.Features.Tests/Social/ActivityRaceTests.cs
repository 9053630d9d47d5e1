using System.Net;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests.Social;

/// <summary>
/// Writes to one activity racing each other on a real server (the audit's PostgreSQL findings): concurrent deletes of an
/// activity or of a comment delete and announce once and answer the rest <c>not_found</c>; deletes racing likes,
/// unlikes, comments and edits answer no <c>internal</c> error (before: 40P01 deadlocks) and leave no like, comment or
/// like notice of an activity that no longer exists (before: orphan rows, each like answered 200).
/// </summary>
public abstract class ActivityRaceTests(SocialFixture fixture)
{
    private ChatServer Chat => fixture.Chat;

    private IDatabase Database => Chat.Server.Services.GetRequiredService<IDatabase>();

    [Fact]
    public async Task Concurrent_deletes_of_an_activity_answer_one_204_and_announce_one_deletion()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await Chat.BefriendAsync(ada, bob);
        using var adaApi = Chat.Api(ada, "Ada");
        await using var bobWs = await Chat.ConnectAsync(bob, "Bob");
        await bobWs.SubscribeAsync($"feed:{bob}");
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await adaApi.PostActivityAsync($"Run {i}")).GetProperty("id").GetString()!);
        }

        foreach (var id in ids)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => adaApi.DeleteAsync($"/api/activities/{id}")));
            Assert.True(answers.Count(a => a.Status == HttpStatusCode.NoContent) == 1, string.Join(", ", answers));
            Assert.All(answers.Where(a => a.Status != HttpStatusCode.NoContent), a => Assert.Equal("not_found", a.Code));
        }

        // A post after them all: once Bob has it, every deletion announced before it has arrived too.
        var marker = (await adaApi.PostActivityAsync("Marker")).GetProperty("id").GetString();
        await bobWs.NextAsync(f => f.Type() == "friend_activity" && f.GetProperty("data").GetProperty("activity").GetProperty("id").GetString() == marker);
        var deleted = bobWs.Frames.Where(f => f.Type() == "activity_deleted").Select(f => f.GetProperty("data").GetProperty("id").GetString()).ToList();
        Assert.Equal(ids.Order(), deleted.Order()); // each once
    }

    [Fact]
    public async Task Deletes_racing_likes_comments_and_edits_answer_no_error_and_leave_nothing_of_the_activity()
    {
        var (ada, bob, cy) = (Users.New("ada"), Users.New("bob"), Users.New("cy"));
        await Chat.BefriendAsync(ada, bob);
        await Chat.BefriendAsync(ada, cy);
        using var adaApi = Chat.Api(ada, "Ada");
        using var bobApi = Chat.Api(bob, "Bob");
        using var cyApi = Chat.Api(cy, "Cy");
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var id = (await adaApi.PostActivityAsync($"Ride {i}")).GetProperty("id").GetString()!;
            Social.Ok(await cyApi.PostAsync($"/api/activities/{id}/likes", new { })); // one to take back in the race
            ids.Add(id);
        }

        foreach (var id in ids)
        {
            var path = $"/api/activities/{id}";
            var calls = new List<Task<Answer>>
            {
                adaApi.DeleteAsync(path), adaApi.DeleteAsync(path), adaApi.PatchAsync(path, new { title = "Edited" }),
                bobApi.PostAsync($"{path}/likes", new { }), bobApi.PostAsync($"{path}/comments", new { text = "Nice" }),
                cyApi.DeleteAsync($"{path}/likes"), cyApi.PostAsync($"{path}/comments", new { text = "Wow" }),
                adaApi.PostAsync($"{path}/likes", new { }), adaApi.PostAsync($"{path}/comments", new { text = "Thanks" }),
                bobApi.PostAsync($"{path}/comments", new { text = "Again" }),
            };
            var answers = await Task.WhenAll(calls);
            Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.NoContent
                || a.Code == "not_found", a.ToString()));
            Assert.Equal(1, answers[..2].Count(a => a.Status == HttpStatusCode.NoContent));

            Assert.Equal(HttpStatusCode.NotFound, (await bobApi.GetAsync(path)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await bobApi.GetAsync($"{path}/comments")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await bobApi.PostAsync($"{path}/likes", new { })).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await bobApi.PostAsync($"{path}/comments", new { text = "Late" })).Status);
        }
        Assert.Equal((0, 0, 0), (await RowsOfAsync("social_likes", ids), await RowsOfAsync("social_comments", ids),
            await RowsOfAsync("social_like_notices", ids)));
    }

    [Fact]
    public async Task Concurrent_deletes_of_comments_delete_and_announce_each_once()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await Chat.BefriendAsync(ada, bob);
        using var adaApi = Chat.Api(ada, "Ada");
        using var bobApi = Chat.Api(bob, "Bob");
        var id = (await adaApi.PostActivityAsync("Swim")).GetProperty("id").GetString()!;
        var comments = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            comments.Add(Social.Ok(await bobApi.PostAsync($"/api/activities/{id}/comments", new { text = $"c{i}" })).GetProperty("id").GetString()!);
        }
        await using var bobWs = await Chat.ConnectAsync(bob, "Bob");
        await bobWs.SubscribeAsync($"activity:{id}");

        // Eight deletes of each comment, by its writer and by the activity's author, all at once.
        var answers = await Task.WhenAll(comments.SelectMany(c => Enumerable.Range(0, 8)
            .Select(i => (i % 2 == 0 ? adaApi : bobApi).DeleteAsync($"/api/activities/{id}/comments/{c}"))));
        Assert.True(answers.Count(a => a.Status == HttpStatusCode.NoContent) == comments.Count, string.Join(", ", answers.Select(a => (int)a.Status)));
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.NoContent), a => Assert.Equal("not_found", a.Code));

        // A like after them all: once it arrives, every comment_deleted published before it has too.
        Social.Ok(await adaApi.PostAsync($"/api/activities/{id}/likes", new { }));
        await bobWs.NextAsync(f => f.Type() == "activity_liked");
        var announced = bobWs.Frames.Where(f => f.Type() == "comment_deleted")
            .Select(f => f.GetProperty("data").GetProperty("comment").GetString()!).ToList();
        Assert.Equal(comments.Order(), announced.Order());
        Assert.Equal(0, Social.Ok(await bobApi.GetAsync($"/api/activities/{id}")).GetProperty("comment_count").GetInt32());
    }

    private Task<long> RowsOfAsync(string table, List<string> activities) =>
        Database.ReadAsync(async tx =>
        {
            long rows = 0;
            foreach (var activity in activities)
            {
                rows += await tx.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE activity_id = @activity", new { activity });
            }
            return rows;
        });
}

public sealed class SqliteActivityRaceTests(SqliteSocial fixture) : ActivityRaceTests(fixture), IClassFixture<SqliteSocial>;

public sealed class PostgresActivityRaceTests(PostgresSocial fixture) : ActivityRaceTests(fixture), IClassFixture<PostgresSocial>;
