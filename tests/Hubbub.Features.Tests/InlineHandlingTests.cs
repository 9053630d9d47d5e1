using Hubbub.Features.Kit;
using Hubbub.Features.Tests.Infrastructure;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests;

/// <summary>
/// <see cref="FeatureTransaction.RaiseAndHandleAsync{T}"/>: the handlers run in the raising transaction (their effect
/// commits with it, once, and no handling is left for later), and one that fails is rolled back alone to its savepoint
/// and runs again after the commit, while the raiser's own work stands.
/// </summary>
public sealed class InlineHandlingTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Handlers_run_with_the_raise_and_a_failing_one_is_rolled_back_alone_and_retried_after_the_commit(string engine)
    {
        var effects = new TestEffects();
        await using var chat = await ChatServer.StartAsync(engine, new() { ["Kit:RetryBaseMs"] = "20", ["Kit:PollMs"] = "50" },
            configureServices: s => TestEffects.Register(s, effects, "a"));
        var features = chat.Server.Services.GetRequiredService<FeatureDatabase>();
        var database = chat.Server.Services.GetRequiredService<IDatabase>();

        var ada = Users.New("ada");
        var handled = await features.WriteAsync(tx => tx.RaiseAndHandleAsync(TestEffects.Completed, new Workout(ada, 10), []));
        Assert.Equal(1, await DomainEventTests.CountAsync(database, "xp", ada)); // already committed, with the raise
        Assert.Empty(handled.Outcomes);
        await Task.Delay(300); // no pending handling was left for the dispatcher
        Assert.Equal((1L, 1), (await DomainEventTests.CountAsync(database, "xp", ada), effects.Attempts));

        effects.FailuresBeforeSuccess = 3; // attempts so far: 1. The run with the raise fails (2), the first retry too (3), then it commits (4)
        var bob = Users.New("bob");
        await features.WriteAsync(async tx =>
        {
            await tx.RaiseAndHandleAsync(TestEffects.Completed, new Workout(bob, 10), []);
            await tx.Db.ExecuteAsync("INSERT INTO test_effects (kind, ref, node) VALUES ('raiser', @bob, 'a')", new { bob });
        });
        Assert.Equal(1, await DomainEventTests.CountAsync(database, "raiser", bob)); // the raiser's work stands
        await DomainEventTests.WaitForAsync(async () => await DomainEventTests.CountAsync(database, "xp", bob) == 1);
        await Task.Delay(300);
        Assert.Equal((1L, 4), (await DomainEventTests.CountAsync(database, "xp", bob), effects.Attempts)); // the failed rows rolled back
        Assert.Contains(chat.Server.Logs, l => l.Contains("run with its raise", StringComparison.Ordinal));
    }
}
