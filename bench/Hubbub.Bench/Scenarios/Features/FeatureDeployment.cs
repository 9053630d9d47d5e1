using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Scenarios.Features;

/// <summary>
/// Where a feature scenario runs: one Hubbub node on SQLite (the embedded default), one on a fresh PostgreSQL database,
/// or two nodes sharing a fresh PostgreSQL database and a Redis (the scale-out deployment), optionally with extra
/// settings (a variant, for a before/after comparison in the same run). Disposing stops every node and drops what was
/// created for them.
/// </summary>
public sealed class FeatureDeployment : IAsyncDisposable
{
    /// <summary>One node on SQLite.</summary>
    public const string Sqlite = "sqlite";

    /// <summary>One node on PostgreSQL.</summary>
    public const string Postgres = "postgres";

    /// <summary>Two nodes on PostgreSQL and Redis.</summary>
    public const string TwoNodes = "two-nodes";

    /// <summary>Every database a run may name.</summary>
    public static readonly IReadOnlyList<string> Databases = [Sqlite, Postgres, TwoNodes];

    private readonly BenchPostgres? _postgres;
    private readonly RedisServer? _redis;

    private FeatureDeployment(string label, string database, ServerProcess[] nodes, BenchPostgres? postgres, RedisServer? redis)
    {
        Label = label;
        Database = database;
        Nodes = nodes;
        _postgres = postgres;
        _redis = redis;
    }

    /// <summary>The run's name in results: the scenario's own for plain SQLite, <c>scenario database[-variant]</c> otherwise.</summary>
    public string Label { get; }

    /// <summary>Which of <see cref="Databases"/> this is.</summary>
    public string Database { get; }

    /// <summary>
    /// The connection string of the nodes' database, for a scenario that seeds it with bulk SQL: the first node's SQLite
    /// file, or the fresh PostgreSQL database.
    /// </summary>
    public string StorageConnectionString => _postgres?.ConnectionString
        ?? $"Data Source={Path.Combine(Nodes[0].DataFolder ?? throw new InvalidOperationException("the node keeps no files"), "hubbub.db")}";

    /// <summary>The nodes (one, or two sharing their storage).</summary>
    public IReadOnlyList<ServerProcess> Nodes { get; }

    /// <summary>
    /// The runs of <paramref name="scenario"/> this run asks for: each database of <see cref="BenchSettings.Databases"/>
    /// the scenario supports, then each variant (on SQLite). A database that cannot be had (no PostgreSQL configured, no
    /// redis-server) is skipped with a note.
    /// </summary>
    public static IEnumerable<(string Label, string Database, IReadOnlyDictionary<string, string> Env)> Runs(ScenarioContext context, string scenario,
        bool supportsTwoNodes)
    {
        foreach (var database in context.Settings.Databases)
        {
            if (database == TwoNodes && !supportsTwoNodes)
            {
                continue;
            }
            if (database != Sqlite && BenchPostgres.Server() is null)
            {
                context.Results.Note($"{scenario} {database}", "not measured: set HUBBUB_BENCH_POSTGRES to an Npgsql connection string of a server where the bench may create databases");
                continue;
            }
            if (database == TwoNodes && !RedisServer.Available())
            {
                context.Results.Note($"{scenario} {database}", "not measured: redis-server is not installed");
                continue;
            }
            yield return (database == Sqlite ? scenario : $"{scenario} {database}", database, new Dictionary<string, string>());
        }
        foreach (var (name, env) in context.Settings.Variants)
        {
            yield return ($"{scenario} sqlite-{name}", Sqlite, env);
        }
    }

    /// <summary>
    /// Runs <paramref name="scenario"/>'s measurement once on each of its <see cref="Runs"/>: starts that deployment with
    /// <paramref name="scenarioEnv"/> (settings the scenario itself needs), hands it to <paramref name="measure"/>, stops it.
    /// </summary>
    public static async Task ForEachRunAsync(ScenarioContext context, ServerKind kind, string scenario, bool supportsTwoNodes,
        IReadOnlyDictionary<string, string> scenarioEnv, Func<FeatureDeployment, Task> measure, CancellationToken cancellationToken)
    {
        foreach (var (label, database, env) in Runs(context, scenario, supportsTwoNodes))
        {
            await using var deployment = await StartAsync(context, kind, label, database, env, scenarioEnv, cancellationToken);
            await measure(deployment);
        }
    }

    /// <summary>Starts the nodes of <paramref name="database"/> with <paramref name="env"/> added to each.</summary>
    public static async Task<FeatureDeployment> StartAsync(ScenarioContext context, ServerKind kind, string label, string database,
        IReadOnlyDictionary<string, string> env, IReadOnlyDictionary<string, string> scenarioEnv, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string>(scenarioEnv);
        foreach (var (key, value) in env)
        {
            settings[key] = value;
        }
        BenchPostgres? postgres = null;
        RedisServer? redis = null;
        var nodes = new List<ServerProcess>();
        try
        {
            if (database != Sqlite)
            {
                postgres = await BenchPostgres.CreateAsync(BenchPostgres.Server()!, cancellationToken);
                settings["ConnectionStrings__Postgres"] = postgres.ConnectionString;
            }
            if (database == TwoNodes)
            {
                redis = await RedisServer.StartAsync(cancellationToken);
                settings["ConnectionStrings__Redis"] = $"127.0.0.1:{redis.Port}";
                // The second node starts once the first has migrated the new database.
                nodes.Add(await context.StartAsync(kind, cancellationToken, new Dictionary<string, string>(settings) { ["Hubbub__NodeId"] = "bench-a" }));
                nodes.Add(await context.StartAsync(kind, cancellationToken, new Dictionary<string, string>(settings) { ["Hubbub__NodeId"] = "bench-b" }));
            }
            else
            {
                nodes.Add(await context.StartAsync(kind, cancellationToken, settings));
            }
            return new FeatureDeployment(label, database, [.. nodes], postgres, redis);
        }
        catch
        {
            await new FeatureDeployment(label, database, [.. nodes], postgres, redis).DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
