using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.DomainEvents;
using Hubbub.Features.Kit.Scheduling;
using Hubbub.Storage.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests.Infrastructure;

/// <summary>The data of the test's domain event.</summary>
public sealed record Workout([property: JsonPropertyName("user")] string User, [property: JsonPropertyName("minutes")] int Minutes);

/// <summary>Source-generated JSON for the test feature.</summary>
[JsonSerializable(typeof(Workout))]
public sealed partial class TestJson : JsonSerializerContext;

/// <summary>
/// A feature of the tests' own, declared as a real one is: a table of effects, a handler of <see cref="Completed"/>
/// that fails its first <see cref="FailuresBeforeSuccess"/> runs after writing its effect (so a retry that did not
/// roll that back would show twice), and a job kind that records each run.
/// </summary>
public sealed class TestEffects
{
    public static readonly DomainEventKind<Workout> Completed = new("workout.completed", TestJson.Default.Workout);

    public const string JobKind = "test.tick";

    private int _attempts;

    public int FailuresBeforeSuccess { get; set; }

    public int Attempts => _attempts;

    /// <summary>Which node ran each job (several nodes in one process share this object).</summary>
    public ConcurrentBag<(string Node, string Key)> JobRuns { get; } = [];

    public static void Register(IServiceCollection services, TestEffects effects, string node)
    {
        services.AddHubbubMigrations("kit-tests", m => m.Add(1, "effects",
            "CREATE TABLE test_effects (kind TEXT NOT NULL, ref TEXT NOT NULL, node TEXT NOT NULL)"));
        services.AddSingleton(effects);
        services.AddSingleton(new DomainEventHandlerRegistration(Completed.Type, "tests.xp", typeof(TestEffects),
            (service, tx, json, ct) => ((TestEffects)service).HandleAsync(tx, System.Text.Json.JsonSerializer.Deserialize(json, Completed.Json)!, node, ct)));
        services.AddSingleton(new JobHandlerRegistration(JobKind, typeof(TestEffects),
            (service, tx, job, ct) => ((TestEffects)service).RunJobAsync(tx, job, node, ct)));
    }

    private async Task HandleAsync(FeatureTransaction tx, Workout workout, string node, CancellationToken ct)
    {
        await tx.Db.ExecuteAsync("INSERT INTO test_effects (kind, ref, node) VALUES ('xp', @user, @node)", new { user = workout.User, node }, ct);
        if (Interlocked.Increment(ref _attempts) <= FailuresBeforeSuccess)
        {
            throw new InvalidOperationException("the handler fails on purpose");
        }
    }

    private async Task RunJobAsync(FeatureTransaction tx, Job job, string node, CancellationToken ct)
    {
        await tx.Db.ExecuteAsync("INSERT INTO test_effects (kind, ref, node) VALUES ('job', @key, @node)", new { key = job.Key, node }, ct);
        JobRuns.Add((node, job.Key));
    }
}
