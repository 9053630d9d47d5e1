using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// <c>cluster</c>: two Hubbub nodes sharing one Redis, half the subscribers on each, the publisher on the first:
/// the fan-out ladder across nodes. Both nodes' CPU counts. Runs only when the server build carries the Redis
/// seams (Hubbub.Redis.dll beside Hubbub.Server.dll, switched on by <c>ConnectionStrings:Redis</c>).
/// </summary>
public sealed class ClusterScenario : IScenario
{
    /// <inheritdoc />
    public string Name => "cluster";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => kind == ServerKind.Hubbub;

    /// <inheritdoc />
    public string? PendingReason()
    {
        if (!File.Exists(Path.Combine(Path.GetDirectoryName(RepoPaths.HubbubServerDll)!, "Hubbub.Redis.dll")))
        {
            return "pending the Redis broker: this build of Hubbub.Server has no Hubbub.Redis (ConnectionStrings:Redis support)";
        }
        return RedisServer.Available() ? null : "redis-server is not installed (apt-get install redis-server)";
    }

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        var n = context.Settings.Subscribers;
        await using var redis = await RedisServer.StartAsync(cancellationToken);
        var env = new Dictionary<string, string> { ["ConnectionStrings__Redis"] = $"127.0.0.1:{redis.Port}" };
        await using var nodeA = await context.StartAsync(kind, cancellationToken, new Dictionary<string, string>(env) { ["Hubbub__NodeId"] = "bench-a" });
        await using var nodeB = await context.StartAsync(kind, cancellationToken, new Dictionary<string, string>(env) { ["Hubbub__NodeId"] = "bench-b" });
        Target[] targets = [Target.For(nodeA), Target.For(nodeB)];
        var sink = new FanoutSink(n);
        context.Status($"cluster round {round}: connecting {n} over two nodes");
        var subscribers = await context.ConnectManyAsync(0, n,
            (i, ct) => targets[i % 2].ConnectSubscriberAsync(i, FanoutScenario.Channel, sink, ct), cancellationToken);
        try
        {
            await using var publisher = await targets[0].ConnectPublisherAsync(FanoutScenario.Channel, cancellationToken);
            // Each process's own CPU per message: the publishing node (its subscribers' deliveries, the publisher's
            // frames and the Redis round trip), the other node (deliveries only) and Redis.
            CpuPart[] parts =
            [
                new("node_a", () => nodeA.Sample().CpuMicroseconds),
                new("node_b", () => nodeB.Sample().CpuMicroseconds),
                new("redis", () => redis.Sample().CpuMicroseconds),
            ];
            await Ladder.RunAsync(context, Name, kind, round, publisher, sink, n, [nodeA, nodeB], cancellationToken, parts);
        }
        finally
        {
            await nodeA.DisposeAsync();
            await nodeB.DisposeAsync();
            await ScenarioContext.DisposeAllAsync(subscribers);
        }
    }
}
