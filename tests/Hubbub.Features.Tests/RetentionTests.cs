using System.Net;
using Hubbub.Features.Kit;
using Hubbub.Features.Tests.Infrastructure;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Features.Tests;

/// <summary>
/// The kit's pruning job on a fake clock: domain events whose handlers are done and idempotency keys older than
/// <c>Kit:RetentionDays</c> are deleted; newer ones and events a handler still needs stay; a pruned id is a new call.
/// </summary>
public sealed class RetentionTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Old_done_events_and_idempotency_keys_are_pruned_and_the_rest_kept(string engine)
    {
        var effects = new TestEffects();
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var chat = await ChatServer.StartAsync(engine,
            new() { ["Kit:RetentionDays"] = "1", ["Kit:PruneEveryMinutes"] = "60", ["Kit:PollMs"] = "50", ["Kit:RetryBaseMs"] = "3600000", ["Kit:RetryMaxMs"] = "3600000" },
            clock, configureServices: s => TestEffects.Register(s, effects, "a"));
        var features = chat.Server.Services.GetRequiredService<FeatureDatabase>();
        var database = chat.Server.Services.GetRequiredService<IDatabase>();
        using var server = new ServerApi(chat.Server.BaseAddress, TestServer.ApiKey);
        var user = Users.New("keeper");
        async Task<HttpStatusCode> GrantAsync(string id) =>
            (await server.PostAsync("/api/wallet/grants", new { user, currency = "coins", amount = 5, id })).Status;
        Task<long> CountAsync(string sql) => database.ReadAsync(tx => tx.ExecuteScalarAsync<long>(sql, new { user }));
        const string Keys = "SELECT COUNT(*) FROM kit_idempotency WHERE scope = 'wallet.grant' AND idem_key LIKE 'g-%'";
        const string Events = "SELECT COUNT(*) FROM kit_domain_events WHERE type = 'workout.completed' AND data LIKE '%' || @user || '%'";

        // Day 0: a grant's key and a handled event.
        Assert.Equal(HttpStatusCode.Created, await GrantAsync("g-old"));
        await features.WriteAsync(tx => tx.RaiseAsync(TestEffects.Completed, new Workout(user, 10)));
        await DomainEventTests.WaitForAsync(async () => await CountAsync("SELECT COUNT(*) FROM kit_event_handlings") == 0);
        // Two hours on: a newer key, and an event whose handler keeps failing (its handling stays pending).
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(HttpStatusCode.Created, await GrantAsync("g-recent"));
        effects.FailuresBeforeSuccess = int.MaxValue;
        await features.WriteAsync(tx => tx.RaiseAsync(TestEffects.Completed, new Workout(user, 20)));
        Assert.Equal(2, await CountAsync(Keys));
        Assert.Equal(2, await CountAsync(Events));

        // A day later the hourly job runs with the cutoff past day 0 (and before the two-hour mark).
        clock.Advance(TimeSpan.FromHours(23));
        await DomainEventTests.WaitForAsync(async () => await CountAsync(Keys) == 1);
        await DomainEventTests.WaitForAsync(async () => await CountAsync(Events) == 1);
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM kit_idempotency WHERE scope = 'wallet.grant' AND idem_key = 'g-recent'"));
        Assert.Equal(1, await CountAsync(Events + " AND data LIKE '%20%'")); // the one a handler still needs
        Assert.Contains(chat.Server.Logs, l => l.Contains("Retention: pruned", StringComparison.Ordinal));

        // A pruned id is a new call; a kept one is still a repeat.
        using (var repeat = new ServerApi(chat.Server.BaseAddress, TestServer.ApiKey))
        {
            var again = await repeat.PostAsync("/api/wallet/grants", new { user, currency = "coins", amount = 5, id = "g-recent" });
            Assert.True(again.Body.GetProperty("duplicate").GetBoolean());
        }
        Assert.Equal(HttpStatusCode.Created, await GrantAsync("g-old"));
        var wallet = (await server.GetAsync($"/api/wallet?user={user}")).Body;
        Assert.Equal(15, wallet.GetProperty("balances").GetProperty("coins").GetInt64());
        // One chain of the job, scheduled about an hour ahead.
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM kit_jobs WHERE kind = 'kit.prune'"));
    }
}
