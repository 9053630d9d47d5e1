using System.Diagnostics;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// <c>idle</c>: connections each subscribed to its user's own channel (<c>user:ID</c>, the personal notification
/// channel every app client holds; a SignalR group of the same name; the Kestrel baseline has no subscription)
/// and then left alone. Per level: the server's RSS growth per
/// connection over its RSS after a warm-up, and the connect rate (handshake plus subscribe) reaching that level.
/// </summary>
public sealed class IdleScenario : IScenario
{
    /// <summary>How long the server is left alone before its RSS is read.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    public string Name => "idle";

    /// <summary>
    /// Connection <paramref name="index"/>'s own channel. Not one shared public channel: there every join would
    /// announce <c>presence_join</c> to every member, N²/2 frames for N connections, which measures presence
    /// fan-out rather than idle connections (see docs/performance.md).
    /// </summary>
    public static string OwnChannel(int index) => $"user:b{index}";

    /// <inheritdoc />
    public bool Supports(ServerKind kind) => true;

    /// <inheritdoc />
    public string? PendingReason() => null;

    /// <inheritdoc />
    public async Task RunAsync(ScenarioContext context, ServerKind kind, int round, CancellationToken cancellationToken)
    {
        var levels = context.Settings.IdleLevels;
        var limit = NativeMethods.RaiseOpenFileLimit((ulong)(levels.Max() * 2) + 4096);
        if (limit < (ulong)levels.Max() + 1024)
        {
            throw new InvalidOperationException($"the open-file limit is {limit}; {levels.Max()} connections need more (ulimit -n)");
        }
        await using var server = await context.StartAsync(kind, cancellationToken);
        var target = Target.For(server);
        var sink = new NullSink();
        var all = new List<IBenchConnection>();
        try
        {
            // Warm-up: the first connections compile the server's connect path; their cost is not per connection.
            context.Status($"idle {kind.Title()} round {round}: warm-up");
            var warmSink = new NullSink();
            var warm = await context.ConnectManyAsync(1_000_000, 50, (i, ct) => target.ConnectSubscriberAsync(i, OwnChannel(i), warmSink, ct),
                cancellationToken);
            await ScenarioContext.DisposeAllAsync(warm);
            await Task.Delay(Settle, cancellationToken);
            var baseline = server.Sample().RssBytes;

            foreach (var level in levels)
            {
                context.Status($"idle {kind.Title()} round {round}: connecting {level}");
                var more = level - all.Count;
                var clock = Stopwatch.StartNew();
                all.AddRange(await context.ConnectManyAsync(all.Count, more,
                    (i, ct) => target.ConnectSubscriberAsync(i, OwnChannel(i), sink, ct), cancellationToken));
                var rate = more / clock.Elapsed.TotalSeconds;
                await Task.Delay(Settle, cancellationToken);
                var rss = server.Sample().RssBytes;
                if (sink.Closed > 0)
                {
                    throw new InvalidOperationException($"{sink.Closed} idle connections were closed by {kind.Title()}");
                }
                context.Results.Add(Name, kind, round, $"rss_kib_per_conn_{level}", (rss - baseline) / 1024.0 / level, "KiB", Better.Lower);
                context.Results.Add(Name, kind, round, $"connects_per_s_{level}", rate, "/s", Better.Higher);
                context.Results.Add(Name, kind, round, $"rss_mib_{level}", rss / 1024.0 / 1024.0, "MiB", Better.Lower);
            }
        }
        finally
        {
            await server.DisposeAsync();
            await ScenarioContext.DisposeAllAsync(all);
        }
    }
}
