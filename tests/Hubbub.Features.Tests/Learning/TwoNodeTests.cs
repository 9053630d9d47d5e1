using System.Net;
using Hubbub.Features.Tests.Infrastructure;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;
using static Hubbub.Features.Tests.Learning.Progress;

namespace Hubbub.Features.Tests.Learning;

/// <summary>Two server nodes on one PostgreSQL database: completions racing across nodes still make one of each.</summary>
public sealed class TwoNodeTests
{
    [Fact]
    public async Task Completions_racing_on_two_nodes_make_one_completion_per_task_and_one_module_completion()
    {
        await using var database = await ChatDatabase.CreateAsync("postgres");
        using var a = new TestServer(database.Settings);
        using var b = new TestServer(database.Settings);
        using var onA = new ServerApi(a.BaseAddress, TestServer.ApiKey);
        using var onB = new ServerApi(b.BaseAddress, TestServer.ApiKey);
        var tasks = Enumerable.Range(1, 6).Select(i => $"t{i}").ToArray();
        var created = await onA.PostAsync("/api/courses", new { id = "two-nodes", title = "Raced", modules = new[] { Module("m", tasks) } });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var user = Users.New("racer");

        // Each task completed on both nodes at once (a retry that landed elsewhere, or two devices).
        var answers = await Task.WhenAll(tasks.SelectMany(t => new[] { onA, onB }.Select(node =>
            node.PostAsync($"/api/courses/two-nodes/tasks/{t}/complete", new { user }))));

        Assert.All(answers, x => Assert.Equal(HttpStatusCode.OK, x.Status));
        Assert.Equal(100, (await onB.GetAsync($"/api/courses/two-nodes/progress?user={user}")).Percent());
        var db = a.Services.GetRequiredService<IDatabase>();
        Task<long> Count(string sql) => db.ReadAsync(tx => tx.ExecuteScalarAsync<long>(sql, new { user, pattern = $"%\"user\":\"{user}\"%" }));
        Assert.Equal(6, await Count("SELECT COUNT(*) FROM learning_completions WHERE user_id = @user"));
        Assert.Equal(6, await Count("SELECT COUNT(*) FROM kit_domain_events WHERE type = 'task.completed' AND data LIKE @pattern"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM kit_domain_events WHERE type = 'module.completed' AND data LIKE @pattern"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM kit_domain_events WHERE type = 'course.completed' AND data LIKE @pattern"));
    }
}
