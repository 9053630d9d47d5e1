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
        var top = levels.Max();
        var limit = NativeMethods.RaiseOpenFileLimit((ulong)(top * 2) + 4096);
        if (limit < (ulong)top + 1024)
        {
            throw new InvalidOperationException($"the open-file limit is {limit}; {top} connections need {top + 1024} in the server and "
                + $"in the load generator each. {NativeMethods.OpenFileLimitExplanation()}");
        }
        // Past one source address's ephemeral ports the load generator's connections come from 127.0.0.2, .3, ….
        using var spread = SourceAddressSpread.Use(top, out var addresses);
        await using var server = await context.StartAsync(kind, cancellationToken);
        var target = Target.For(server);
        // Hubbub's GC totals (its /metrics; the baselines have none): bytes allocated per connect do not depend on the load.
        using var api = kind == ServerKind.Hubbub ? new ServerApi(server) : null;
        var sink = new NullSink();
        var all = new List<IBenchConnection>();
        try
        {
            // Warm-up: the first connections compile the server's connect path; their cost is not per connection.
            context.Status($"idle {kind.Title()} round {round}: warm-up");
            var warmSink = new NullSink();
            var raw = context.Settings.IdleClient == "raw";
            // With --idle-warmup in the thousands, also the runtime's tiered compilation of that path (which otherwise runs
            // during the first measured level): its rounds of 1,000 each end with a settle, for the background compiles.
            for (var warmed = 0; warmed < context.Settings.IdleWarmup; warmed += 1_000)
            {
                var count = Math.Min(1_000, context.Settings.IdleWarmup - warmed);
                var warmDialer = IdleDialer.Prepare(target, warmSink, OwnChannel, 1_000_000 + warmed, count, raw, context.Settings.IdleSubscribe);
                var warm = await context.ConnectManyAsync(1_000_000 + warmed, count, warmDialer.ConnectAsync, cancellationToken);
                await ScenarioContext.DisposeAllAsync(warm);
                await Task.Delay(Settle, cancellationToken);
            }
            var baseline = server.Sample().RssBytes;
            var benchBaseline = ProcSample.Self().RssBytes;

            var previous = (Level: 0, Rss: baseline);
            foreach (var level in levels)
            {
                context.Status($"idle {kind.Title()} round {round}: connecting {level:#,0}");
                var more = level - all.Count;
                // Tokens, upgrade heads and subscribe frames are made before the clock (the raw client's; see IdleDialer).
                var dialer = IdleDialer.Prepare(target, sink, OwnChannel, all.Count, more, raw, context.Settings.IdleSubscribe);
                var gcBefore = api is null ? null : await ServerGcTotals.ReadAsync(api, cancellationToken);
                var clock = Stopwatch.StartNew();
                var cpuBefore = server.Sample().CpuMicroseconds;
                var benchCpuBefore = ProcSample.Self().CpuMicroseconds;
                all.AddRange(await context.ConnectManyAsync(all.Count, more, dialer.ConnectAsync, cancellationToken));
                var rate = more / clock.Elapsed.TotalSeconds;
                var cpuPerConnect = (server.Sample().CpuMicroseconds - cpuBefore) / (double)more;
                // The load generator shares the machine's cores: its own CPU per connect bounds the rate as much as the server's.
                var benchCpuPerConnect = (ProcSample.Self().CpuMicroseconds - benchCpuBefore) / (double)more;
                var gcAfter = api is null ? null : await ServerGcTotals.ReadAsync(api, cancellationToken);
                await Task.Delay(Settle, cancellationToken);
                var rss = server.Sample().RssBytes;
                ThrowIfDropped(sink, kind);
                context.Results.Add(Name, kind, round, $"rss_kib_per_conn_{level}", (rss - baseline) / 1024.0 / level, "KiB", Better.Lower);
                // What each connection past the previous level added: the figure a larger level tends to, once the
                // server's one-off memory is spread thin.
                context.Results.Add(Name, kind, round, $"rss_kib_per_conn_marginal_{level}", (rss - previous.Rss) / 1024.0 / (level - previous.Level), "KiB",
                    Better.Lower);
                previous = (level, rss);
                context.Results.Add(Name, kind, round, $"connects_per_s_{level}", rate, "/s", Better.Higher);
                context.Results.Add(Name, kind, round, $"rss_mib_{level}", rss / 1024.0 / 1024.0, "MiB", Better.Lower);
                context.Results.Add(Name, kind, round, $"server_cpu_us_per_connect_{level}", cpuPerConnect, "µs", Better.Lower);
                context.Results.Add(Name, kind, round, $"loadgen_cpu_us_per_connect_{level}", benchCpuPerConnect, "µs", Better.Lower);
                if (gcBefore is not null && gcAfter is not null)
                {
                    context.Results.Add(Name, kind, round, $"server_allocated_bytes_per_connect_{level}", (gcAfter.Allocated - gcBefore.Allocated) / more, "B",
                        Better.Lower);
                    context.Results.Add(Name, kind, round, $"server_gc_per_1000_connects_{level}",
                        gcAfter.Collections.Zip(gcBefore.Collections, (a, b) => a - b).Sum() * 1000 / more, "collections", Better.Lower);
                    context.Results.Add(Name, kind, round, $"server_gc_pause_us_per_connect_{level}", (gcAfter.PauseSeconds - gcBefore.PauseSeconds) * 1e6 / more, "µs",
                        Better.Lower);
                }
                context.Results.Add(Name, kind, round, $"loadgen_rss_kib_per_conn_{level}", (ProcSample.Self().RssBytes - benchBaseline) / 1024.0 / level,
                    "KiB", Better.Lower);
            }

            if (context.Settings.IdleHold > TimeSpan.Zero)
            {
                await HoldAsync(context, kind, round, server, api, sink, top, cancellationToken);
            }
            context.Status($"idle {kind.Title()} round {round}: closing {top:#,0}");
            var (closeTime, notGraceful) = await CloseAllAsync(all);
            all.Clear();
            context.Results.Add(Name, kind, round, $"close_all_s_{top}", closeTime.TotalSeconds, "s", Better.Lower);
            context.Results.Add(Name, kind, round, $"close_not_graceful_{top}", notGraceful, "connections", Better.Lower);
            context.Results.Add(Name, kind, round, "source_addresses", addresses, "addresses", Better.Lower);
            context.Results.Add(Name, kind, round, "raw_idle_client", raw ? 1 : 0, "yes/no", Better.Lower);
            if (kind == ServerKind.Hubbub && raw)
            {
                // Which subscription the figures are of (0 none, 1 a subscribe frame, 2 in the connect).
                context.Results.Add(Name, kind, round, "idle_subscribe", context.Settings.IdleSubscribe switch { "none" => 0, "frame" => 1, _ => 2 }, "kind",
                    Better.Lower);
            }
        }
        finally
        {
            await server.DisposeAsync();
            await ScenarioContext.DisposeAllAsync(all);
        }
    }

    /// <summary>
    /// Leaves <paramref name="count"/> connections alone for <see cref="BenchSettings.IdleHold"/> with the server's
    /// heartbeats on: its CPU over that time is what heartbeats (and timers) cost; no connection may be dropped. For Hubbub
    /// also where its memory went in the hold (<see cref="ServerMemoryFigures"/>, read just before and after it; each reading
    /// allocates about a megabyte, outside the hold's RSS samples' window only in part).
    /// </summary>
    private async Task HoldAsync(ScenarioContext context, ServerKind kind, int round, ServerProcess server, ServerApi? api, NullSink sink,
        int count, CancellationToken cancellationToken)
    {
        var hold = context.Settings.IdleHold;
        context.Status($"idle {kind.Title()} round {round}: holding {count:#,0} for {hold.TotalSeconds:0} s");
        var memoryBefore = api is null ? null : await ServerMemoryFigures.ReadAsync(api, cancellationToken);
        var frames = sink.Frames;
        var before = server.Sample();
        var clock = Stopwatch.StartNew();
        await Task.Delay(hold, cancellationToken);
        var after = server.Sample();
        var seconds = clock.Elapsed.TotalSeconds;
        var memoryAfter = api is null ? null : await ServerMemoryFigures.ReadAsync(api, cancellationToken);
        var cpu = after.CpuMicroseconds - before.CpuMicroseconds;
        context.Results.Add(Name, kind, round, $"hold_cpu_pct_{count}", cpu / (seconds * 1e6) * 100, "% of a core", Better.Lower);
        context.Results.Add(Name, kind, round, $"hold_cpu_us_per_conn_per_min_{count}", cpu / (double)count / (seconds / 60), "µs", Better.Lower);
        context.Results.Add(Name, kind, round, $"hold_frames_per_conn_{count}", (sink.Frames - frames) / (double)count, "frames", Better.Lower);
        context.Results.Add(Name, kind, round, $"hold_rss_mib_{count}", after.RssBytes / 1024.0 / 1024.0, "MiB", Better.Lower);
        context.Results.Add(Name, kind, round, $"hold_rss_growth_kib_per_conn_{count}", (after.RssBytes - before.RssBytes) / 1024.0 / count, "KiB",
            Better.Lower);
        if (memoryBefore is not null && memoryAfter is not null)
        {
            void Growth(string name, double b, double a) =>
                context.Results.Add(Name, kind, round, $"hold_{name}_growth_kib_per_conn_{count}", (a - b) / 1024.0 / count, "KiB", Better.Lower);
            Growth("gc_committed", memoryBefore.Committed, memoryAfter.Committed);
            Growth("gen2", memoryBefore.Gen2, memoryAfter.Gen2);
            Growth("gc_fragmentation", memoryBefore.Fragmentation, memoryAfter.Fragmentation);
            Growth("pinned", memoryBefore.Pinned, memoryAfter.Pinned);
            Growth("kestrel_pool_allocated", memoryBefore.PoolAllocated, memoryAfter.PoolAllocated);
            context.Results.Add(Name, kind, round, $"hold_allocated_kib_per_conn_{count}", (memoryAfter.Allocated - memoryBefore.Allocated) / 1024.0 / count,
                "KiB", Better.Lower);
            context.Results.Add(Name, kind, round, $"hold_gc_committed_mib_{count}", memoryAfter.Committed / 1024.0 / 1024.0, "MiB", Better.Lower);
            context.Results.Add(Name, kind, round, $"hold_kestrel_pool_pooled_mib_{count}", memoryAfter.PoolPooled / 1024.0 / 1024.0, "MiB", Better.Lower);
            context.Results.Add(Name, kind, round, $"hold_thread_pool_threads_{count}", memoryAfter.ThreadPoolThreads, "threads", Better.Lower);
        }
        context.Results.Add(Name, kind, round, $"dropped_{count}", sink.Closed, "connections", Better.Lower);
        ThrowIfDropped(sink, kind);
    }

    /// <summary>Closes every connection with the close handshake, many at once; returns the time and how many could not.</summary>
    private static async Task<(TimeSpan Took, int NotGraceful)> CloseAllAsync(IReadOnlyList<IBenchConnection> connections)
    {
        var notGraceful = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(connections, new ParallelOptions { MaxDegreeOfParallelism = 256 }, async (c, _) =>
        {
            try
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                if (c is WsClient ws)
                {
                    await ws.CloseAsync(bound.Token);
                }
                else if (c is RawIdleClient rawClient)
                {
                    await rawClient.CloseAsync(bound.Token);
                }
                await c.DisposeAsync();
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException
                or System.Net.WebSockets.WebSocketException)
            {
                Interlocked.Increment(ref notGraceful);
                await c.DisposeAsync();
            }
        });
        return (clock.Elapsed, notGraceful);
    }

    private static void ThrowIfDropped(NullSink sink, ServerKind kind)
    {
        if (sink.Closed > 0)
        {
            throw new InvalidOperationException($"{sink.Closed} idle connections were closed by {kind.Title()}");
        }
    }
}
