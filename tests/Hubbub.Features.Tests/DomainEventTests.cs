using Hubbub.Features.Kit;
using Hubbub.Features.Tests.Infrastructure;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests;

/// <summary>A domain event's handler that fails is retried with backoff, and its effect happens once.</summary>
public sealed class DomainEventTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_failing_handler_is_retried_and_its_effect_happens_once(string engine)
    {
        var effects = new TestEffects { FailuresBeforeSuccess = 2 };
        await using var chat = await ChatServer.StartAsync(engine,
            new() { ["Kit:RetryBaseMs"] = "20", ["Kit:PollMs"] = "50" },
            configureServices: s => TestEffects.Register(s, effects, "a"));
        var features = chat.Server.Services.GetRequiredService<FeatureDatabase>();
        var user = Users.New("runner");

        await features.WriteAsync(tx => tx.RaiseAsync(TestEffects.Completed, new Workout(user, 30)));

        var database = chat.Server.Services.GetRequiredService<IDatabase>();
        await WaitForAsync(async () => await CountAsync(database, "xp", user) == 1);
        Assert.Equal(3, effects.Attempts); // two failures, then the run that committed
        await Task.Delay(300); // more sweeps find nothing left to do
        Assert.Equal(1, await CountAsync(database, "xp", user));
        Assert.Equal(3, effects.Attempts);
        Assert.Contains(chat.Server.Logs, l => l.Contains("handler tests.xp failed", StringComparison.Ordinal));
        var metrics = await chat.Server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("hubbub_domain_event_handler_failures_total{handler=\"tests.xp\"}", metrics, StringComparison.Ordinal); // process-wide: both engines count
        Assert.Contains("hubbub_domain_event_handlings_stuck", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rolled_back_transaction_raises_nothing()
    {
        var effects = new TestEffects();
        await using var chat = await ChatServer.StartAsync("sqlite", new() { ["Kit:PollMs"] = "50" }, configureServices: s => TestEffects.Register(s, effects, "a"));
        var features = chat.Server.Services.GetRequiredService<FeatureDatabase>();
        var user = Users.New("quitter");

        await Assert.ThrowsAsync<InvalidOperationException>(() => features.WriteAsync(async tx =>
        {
            await tx.RaiseAsync(TestEffects.Completed, new Workout(user, 5));
            throw new InvalidOperationException("changed my mind");
        }));

        await Task.Delay(300);
        Assert.Equal(0, effects.Attempts);
        Assert.Equal(0, await CountAsync(chat.Server.Services.GetRequiredService<IDatabase>(), "xp", user));
    }

    [Fact]
    public async Task A_publication_the_core_refuses_is_dropped_and_logged_and_the_commit_stands()
    {
        await using var chat = await ChatServer.StartAsync("sqlite");
        var features = chat.Server.Services.GetRequiredService<FeatureDatabase>();
        var user = Users.New("ada");
        await using var ws = await chat.ConnectAsync(user);
        await ws.SubscribeAsync($"user:{user}");

        // No such namespace: no retry can ever publish it. The caller still hears success; the next row goes out.
        await features.WriteAsync(async tx =>
        {
            await tx.PublishAsync("nowhere:x", "lost", 1, Hubbub.Features.Kit.KitJsonContext.Default.Int32);
            await tx.PublishAsync($"user:{user}", "kept", 2, Hubbub.Features.Kit.KitJsonContext.Default.Int32);
        });

        Assert.Equal(2, (await ws.NextAsync(f => f.Type() == "kept")).GetProperty("data").GetInt32());
        Assert.Contains(chat.Server.Logs, l => l.Contains("dropped lost on nowhere:x", StringComparison.Ordinal));
        // Published rows are deleted off the request's flow, coalesced with other commits' (OutboxDeletions): soon, not at once.
        await WaitForAsync(async () => await chat.Server.Services.GetRequiredService<IDatabase>().ReadAsync(async tx =>
            await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM kit_outbox")) == 0);
    }

    [Fact]
    public async Task Published_rows_past_one_delete_statement_are_all_deleted_and_none_is_published_twice()
    {
        await using var chat = await ChatServer.StartAsync("sqlite", new() { ["Kit:PollMs"] = "50" });
        var features = chat.Server.Services.GetRequiredService<FeatureDatabase>();
        var user = Users.New("ada");
        await using var ws = await chat.ConnectAsync(user);
        await ws.SubscribeAsync($"user:{user}");
        // One publication to 1,100 channels is 1,100 rows (PublishToChannelsAsync writes a row per channel, where a
        // transaction's other publications share one batch row): three delete statements, one transaction.
        const int count = Hubbub.Features.Kit.Outbox.OutboxStore.DeleteChunk * 2 + 100;
        var channels = Enumerable.Range(1, count - 1).Select(_ => $"user:{Users.New("other")}").Prepend($"user:{user}").ToList();

        await features.WriteAsync(async tx => await tx.PublishToChannelsAsync(channels, "n", 7, Hubbub.Features.Kit.KitJsonContext.Default.Int32));

        Assert.Equal(7, (await ws.NextAsync(f => f.Type() == "n")).GetProperty("data").GetInt32());
        var database = chat.Server.Services.GetRequiredService<IDatabase>();
        await WaitForAsync(async () => await database.ReadAsync(async tx => await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM kit_outbox")) == 0);
        await Task.Delay(300); // sweeps find nothing left to publish again
        Assert.Empty(await ws.PendingAfterSyncAsync(f => f.Type() == "n"));
    }

    internal static Task<long> CountAsync(IDatabase database, string kind, string reference) =>
        database.ReadAsync(async tx => await tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM test_effects WHERE kind = @kind AND ref = @reference",
            new { kind, reference }));

    internal static async Task WaitForAsync(Func<Task<bool>> condition, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in time");
            await Task.Delay(25);
        }
    }
}
