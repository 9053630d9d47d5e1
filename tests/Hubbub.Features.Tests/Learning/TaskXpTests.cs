using System.Net;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;
using static Hubbub.Features.Tests.Learning.Progress;

namespace Hubbub.Features.Tests.Learning;

public sealed class TaskXpSqliteTests(SqliteLearning fixture) : TaskXpTests(fixture), IClassFixture<SqliteLearning>;

/// <summary>
/// A task's <c>xp</c> is what its completion gives (FEATURES.md: tasks {key, title, xp}; <c>task.completed</c> goes
/// through the pipeline) while no rule of <c>task.completed</c> is stored; a stored rule replaces it, its removal
/// brings the task's own XP back. The rules are the server's, so the whole sequence is one test.
/// </summary>
public abstract class TaskXpTests(LearningFixture fixture)
{
    [Fact]
    public async Task A_tasks_xp_is_given_without_a_rule_and_a_stored_rule_replaces_it()
    {
        var course = await fixture.CreateCourseAsync(new[] { Module("m", ["t1", "t2", "t3", "t4", "t5"]) }); // 10 XP each
        var ada = Users.New("ada");
        using var learner = fixture.As(ada);
        using var server = fixture.Server();

        Assert.Equal(HttpStatusCode.OK, (await learner.PostAsync($"/api/courses/{course}/tasks/t1/complete", new { })).Status);
        await XpReachesAsync(server, ada, 10);
        // Completing it again is idempotent: no second event, no more XP.
        Assert.Equal(HttpStatusCode.OK, (await learner.PostAsync($"/api/courses/{course}/tasks/t1/complete", new { })).Status);
        // The announced rule is not a stored one: the rules list stays the app's own.
        var rules = await server.GetAsync("/api/rules");
        Assert.DoesNotContain(rules.Body.GetProperty("rules").EnumerateArray(), r => r.GetProperty("type").GetString() == "task.completed");

        // A stored rule of the type replaces the task's own XP (3 instead of 10) ...
        Assert.Equal(HttpStatusCode.Created, (await server.PostAsync("/api/rules", new { type = "task.completed", xp = 3 })).Status);
        Assert.Equal(HttpStatusCode.OK, (await learner.PostAsync($"/api/courses/{course}/tasks/t2/complete", new { })).Status);
        await XpReachesAsync(server, ada, 13);
        // ... also one that reads the task's xp (× 2), never adding to it ...
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Put, "/api/rules/task.completed",
            """{"type":"task.completed","field":"xp","factor":2}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await learner.PostAsync($"/api/courses/{course}/tasks/t3/complete", new { })).Status);
        await XpReachesAsync(server, ada, 33);
        // ... and one that gives nothing turns task XP off.
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Put, "/api/rules/task.completed",
            """{"type":"task.completed","xp":0}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await learner.PostAsync($"/api/courses/{course}/tasks/t4/complete", new { })).Status);
        Assert.Equal(4, await fixture.RaisedAsync("task.completed", ada));
        // A feature's event is given XP when gamification handles it, after the raise: wait for that before the rule goes.
        await UntilAsync(async () => await PendingAsync(ada) == 0, "t4's task.completed handled");

        // Removing the stored rule brings the task's own XP back.
        Assert.Equal(HttpStatusCode.NoContent, (await server.SendAsync(HttpMethod.Delete, "/api/rules/task.completed")).Status);
        Assert.Equal(HttpStatusCode.OK, (await learner.PostAsync($"/api/courses/{course}/tasks/t5/complete", new { })).Status);
        await XpReachesAsync(server, ada, 43);
        await Task.Delay(200);
        Assert.Equal(43, (await server.GetAsync($"/api/users/{ada}/profile")).Body.GetProperty("xp").GetInt64());
    }

    /// <summary>Handlings of <paramref name="user"/>'s <c>task.completed</c> events not done yet.</summary>
    private Task<long> PendingAsync(string user) =>
        fixture.Chat.Server.Services.GetRequiredService<IDatabase>().ReadAsync(tx => tx.ExecuteScalarAsync<long>(
            """
            SELECT COUNT(*) FROM kit_event_handlings h JOIN kit_domain_events e ON e.id = h.event_id
            WHERE e.type = 'task.completed' AND e.data LIKE @pattern
            """, new { pattern = $"%\"user\":\"{user}\"%" }));

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(25);
        }
    }

    private static async Task XpReachesAsync(Infrastructure.ServerApi server, string user, long xp)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        long seen;
        while ((seen = (await server.GetAsync($"/api/users/{user}/profile")).Body.GetProperty("xp").GetInt64()) != xp)
        {
            Assert.True(DateTime.UtcNow < deadline, $"xp stayed {seen}, expected {xp}");
            await Task.Delay(25);
        }
    }
}
