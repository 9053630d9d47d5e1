using Hubbub.Features.Kit;
using Hubbub.Features.Tests.Infrastructure;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Features.Tests;

/// <summary>
/// The scheduler across nodes: two real servers on one PostgreSQL database, each on a fake clock; every due job runs
/// on exactly one of them, and a job that fell due while every node was down runs when one starts.
/// </summary>
public sealed class SchedulerTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, string?> Settings(ChatDatabase database) =>
        new(database.Settings) { ["Kit:PollMs"] = "1000", ["Kit:LeaseMs"] = "600000" }; // longer than the test moves the clocks: no claim expires under a running job

    [Fact]
    public async Task Two_nodes_on_one_database_run_each_due_job_once()
    {
        await using var database = await ChatDatabase.CreateAsync("postgres");
        var effects = new TestEffects();
        var (clockA, clockB) = (new FakeTimeProvider(Start), new FakeTimeProvider(Start));
        using var a = new TestServer(Settings(database), clockA, s => TestEffects.Register(s, effects, "a"));
        using var b = new TestServer(Settings(database), clockB, s => TestEffects.Register(s, effects, "b"));

        var keys = Enumerable.Range(1, 40).Select(i => $"job-{i}").ToList();
        await a.Services.GetRequiredService<FeatureDatabase>().WriteAsync(async tx =>
        {
            foreach (var key in keys)
            {
                await tx.ScheduleAsync(TestEffects.JobKind, key, Start.AddMinutes(1));
            }
        });
        await Task.Delay(200);
        Assert.Empty(effects.JobRuns); // not due yet

        // Both clocks move past the due time; both nodes wake and race for the same rows.
        for (var i = 0; i < 3; i++)
        {
            clockA.Advance(TimeSpan.FromSeconds(30));
            clockB.Advance(TimeSpan.FromSeconds(30));
            await Task.Delay(50);
        }
        var db = a.Services.GetRequiredService<IDatabase>();
        await DomainEventTests.WaitForAsync(async () => await CountJobsAsync(db) >= keys.Count);
        await Task.Delay(300);
        Assert.Equal(keys.Count, await CountJobsAsync(db)); // once each in the database...
        Assert.Equal(keys.Order(), effects.JobRuns.Select(r => r.Key).Order()); // ...and once each in the handlers
    }

    [Fact]
    public async Task A_job_due_while_every_node_was_down_runs_when_one_starts()
    {
        await using var database = await ChatDatabase.CreateAsync("postgres");
        var effects = new TestEffects();
        using (var a = new TestServer(Settings(database), new FakeTimeProvider(Start), s => TestEffects.Register(s, effects, "a")))
        {
            await a.Services.GetRequiredService<FeatureDatabase>().WriteAsync(tx =>
                tx.ScheduleAsync(TestEffects.JobKind, "while-down", Start.AddMinutes(5)));
        }
        Assert.Empty(effects.JobRuns);

        // The next node starts an hour later, its clock frozen: only the start can run the job.
        using var b = new TestServer(Settings(database), new FakeTimeProvider(Start.AddHours(1)), s => TestEffects.Register(s, effects, "b"));
        await DomainEventTests.WaitForAsync(() => Task.FromResult(!effects.JobRuns.IsEmpty));
        Assert.Equal(("b", "while-down"), Assert.Single(effects.JobRuns));
    }

    private static Task<long> CountJobsAsync(IDatabase database) =>
        database.ReadAsync(async tx => await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM test_effects WHERE kind = 'job'"));
}
