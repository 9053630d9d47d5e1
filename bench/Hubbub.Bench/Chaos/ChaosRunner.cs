using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Hubbub.Bench.Chaos;

/// <summary>
/// The <c>chaos</c> command: starts the cluster and the load, then in each round SIGKILLs a node (and starts it
/// again), restarts Redis, restarts PostgreSQL and SIGSTOPs a node for <see cref="ChaosSettings.PauseFor"/>; after
/// each fault (and some more load) it pauses the load and checks that nothing was lost. Prints a table, writes it
/// under bench/results/chaos, and stops everything it started on every exit path.
/// </summary>
public static class ChaosRunner
{
    /// <summary>What a run produced.</summary>
    /// <param name="Results">One row per check (the first before any fault).</param>
    /// <param name="Markdown">The markdown file written.</param>
    /// <param name="Failure">Why the run stopped early, or null.</param>
    public sealed record Report(IReadOnlyList<FaultResult> Results, string Markdown, string? Failure)
    {
        /// <summary>Every fault was survived with nothing lost.</summary>
        public bool Clean => Failure is null && Results.Count > 0 && Results.All(r => r.Clean);
    }

    /// <summary>Runs the faults under load and reports.</summary>
    public static async Task<Report> RunAsync(ChaosSettings settings, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(settings.MaxDuration);
        var ct = bound.Token;
        var stamp = startedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + (settings.Quick ? "-quick" : "");
        var logFolder = Path.Combine(settings.OutputFolder, "logs", stamp);
        var results = new List<FaultResult>();
        string? failure = null;
        void Status(string text) => console.MarkupLineInterpolated($"[grey]{DateTimeOffset.UtcNow:HH:mm:ss}[/] {text}");

        ChaosCluster? cluster = null;
        ChaosLoad? load = null;
        var watchers = new List<ChaosWatcher>();
        try
        {
            cluster = await ChaosCluster.StartAsync(settings, logFolder, Status, ct);
            for (var i = 0; i < ChaosCluster.NodeCount; i++)
            {
                var watcher = new ChaosWatcher(cluster.Nodes, ChaosCluster.Watcher(i), i, cluster.ConversationChannel, cluster.Lobby);
                watchers.Add(watcher);
                await watcher.StartAsync(ct);
            }
            load = new ChaosLoad(cluster.Nodes, settings, cluster.Conversation, cluster.Auction, cluster.Venue);
            load.Start();
            using var checks = new ChaosChecks(cluster, load, watchers);

            async Task CheckAsync(string fault, int round, long faultEndedAt)
            {
                await Task.Delay(settings.LoadBeforeFault, ct);
                await load.PauseAsync(ct);
                var result = await checks.RunAsync(fault, round, faultEndedAt, settings.SettleBound, ct);
                results.Add(result);
                console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[grey]{DateTimeOffset.UtcNow:HH:mm:ss}[/] {Markup.Escape(fault)}: ")
                    + (result.Clean ? "[green]nothing lost[/]" : "[red]" + Markup.Escape(string.Join("; ", result.Notes)) + "[/]")
                    + Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $" ({result.MessagesAcked} messages, {result.BidsAcked} bids, {result.CheckInsAndOuts} check-ins/outs so far; converged in {result.Converged.TotalSeconds:0.0} s)")));
                load.Resume();
            }

            Status("load running");
            await CheckAsync("none (baseline)", 0, Stopwatch.GetTimestamp());
            for (var round = 1; round <= settings.Rounds; round++)
            {
                var victim = cluster.Nodes[(round - 1) % ChaosCluster.NodeCount];
                await Task.Delay(settings.LoadBeforeFault, ct);
                Status($"round {round}: SIGKILL {victim.Name}");
                await using (var ghost = await GhostAsync(victim, cluster.Lobby, $"ghost-kill-{round}", ct))
                {
                    await victim.KillAsync();
                    await Task.Delay(settings.DownFor, ct);
                }
                await victim.StartAsync(ct);
                await CheckAsync($"SIGKILL {victim.Name}, restart", round, Stopwatch.GetTimestamp());

                Status($"round {round}: restart Redis (no persistence: its data is gone)");
                await cluster.Redis.KillAsync();
                await Task.Delay(settings.DownFor, ct);
                await cluster.Redis.StartAsync(ct);
                await CheckAsync("Redis killed, restarted empty", round, Stopwatch.GetTimestamp());

                Status($"round {round}: restart PostgreSQL (immediate stop)");
                await cluster.Postgres.RestartAsync(settings.DownFor, ct);
                await CheckAsync("PostgreSQL immediate stop, restart", round, Stopwatch.GetTimestamp());

                var paused = cluster.Nodes[round % ChaosCluster.NodeCount];
                Status($"round {round}: SIGSTOP {paused.Name} for {settings.PauseFor.TotalSeconds:0} s");
                await using (var ghost = await GhostAsync(paused, cluster.Lobby, $"ghost-pause-{round}", ct))
                {
                    paused.Pause();
                    try
                    {
                        await Task.Delay(settings.PauseFor, ct);
                    }
                    finally
                    {
                        paused.Resume();
                    }
                }
                await CheckAsync($"SIGSTOP {paused.Name} {settings.PauseFor.TotalSeconds:0} s, SIGCONT", round, Stopwatch.GetTimestamp());
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failure = bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                ? $"the run's {settings.MaxDuration.TotalMinutes} min bound was reached"
                : $"{ex.GetType().Name}: {ex.Message}";
            console.MarkupLineInterpolated($"[red]chaos run failed:[/] {failure}");
        }
        finally
        {
            if (load is not null)
            {
                await load.DisposeAsync();
            }
            foreach (var watcher in watchers)
            {
                await watcher.DisposeAsync();
            }
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
        }

        var markdown = Write(settings, results, failure, load, startedAt, clock.Elapsed, stamp);
        Show(console, results);
        console.MarkupLineInterpolated($"results: [link]{markdown}[/]");
        return new Report(results, markdown, failure);
    }

    /// <summary>A client in the lobby on <paramref name="node"/> that never reconnects: its presence must go when the
    /// node dies or the connection is cut.</summary>
    private static async Task<Clients.WsClient> GhostAsync(ChaosNode node, string lobby, string user, CancellationToken cancellationToken)
    {
        var client = await ChaosConnect.ConnectAsync(node, user, cancellationToken);
        await client.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"subscribe\",\"id\":1,\"data\":{\"channel\":\"" + lobby + "\"}}"), cancellationToken);
        byte[][] buffer = [new byte[1024]];
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(10));
        while (await client.ReceiveOneAsync(buffer, bound.Token) is { } n)
        {
            if (buffer[0].AsSpan(0, n).StartsWith("""{"type":"reply","id":1"""u8))
            {
                return client;
            }
        }
        await client.DisposeAsync();
        throw new IOException($"{user} could not join the lobby on {node.Name}");
    }

    private static readonly string[] Columns =
        ["fault", "round", "converged s", "msgs acked", "lost", "dup", "bids acked", "lost", "wrong", "check-ins/outs", "wrong",
         "deliveries missing", "recovered:false", "dup deliveries", "republished", "presence", "wallet", "ready", "unresolved", "verdict"];

    private static string[] Row(FaultResult r) =>
    [
        r.Fault, r.Round.ToString(CultureInfo.InvariantCulture), r.Converged.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),
        N(r.MessagesAcked), N(r.MessagesLost), N(r.MessagesDuplicated), N(r.BidsAcked), N(r.BidsLost), N(r.BidsWrong),
        N(r.CheckInsAndOuts), N(r.CheckInsWrong), N(r.DeliveriesMissing), N(r.DeliveriesDeclared), N(r.DeliveriesDuplicated), N(r.DeliveriesRepublished),
        r.PresenceOk ? "ok" : "WRONG", r.WalletOk ? "ok" : "WRONG", r.AllReady ? "ok" : "NOT READY", N(r.Unresolved),
        r.Clean ? "survived, nothing lost" : "LOSS",
    ];

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static readonly string[] ConsoleColumns =
        ["fault", "converged s", "messages acked/lost/dup", "bids acked/lost/wrong", "check-ins+outs done/wrong",
         "deliveries missing/recovered:false/dup/republished", "presence", "wallet", "ready", "unresolved", "verdict"];

    private static string[] ConsoleRow(FaultResult r) =>
    [
        r.Round == 0 ? r.Fault : $"{r.Round}: {r.Fault}", r.Converged.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),
        $"{r.MessagesAcked}/{r.MessagesLost}/{r.MessagesDuplicated}", $"{r.BidsAcked}/{r.BidsLost}/{r.BidsWrong}",
        $"{r.CheckInsAndOuts}/{r.CheckInsWrong}", $"{r.DeliveriesMissing}/{r.DeliveriesDeclared}/{r.DeliveriesDuplicated}/{r.DeliveriesRepublished}",
        r.PresenceOk ? "ok" : "WRONG", r.WalletOk ? "ok" : "WRONG", r.AllReady ? "ok" : "NOT READY", N(r.Unresolved),
        r.Clean ? "survived, nothing lost" : "LOSS",
    ];

    private static void Show(IAnsiConsole console, IReadOnlyList<FaultResult> results)
    {
        var table = new Table().Title("chaos: faults survived and anything lost (cumulative since the start)");
        foreach (var column in ConsoleColumns)
        {
            table.AddColumn(Markup.Escape(column));
        }
        foreach (var r in results)
        {
            table.AddRow([.. ConsoleRow(r).Select(Markup.Escape)]);
        }
        console.Write(table);
    }

    private static string Write(ChaosSettings settings, IReadOnlyList<FaultResult> results, string? failure, ChaosLoad? load,
        DateTimeOffset startedAt, TimeSpan elapsed, string stamp)
    {
        Directory.CreateDirectory(settings.OutputFolder);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# chaos run {startedAt:yyyy-MM-dd HH:mm} UTC{(settings.Quick ? " (quick)" : "")}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Three Hubbub nodes, Redis (no persistence) and PostgreSQL on loopback of one {Environment.ProcessorCount}-core machine ({elapsed.TotalMinutes:0.0} min). "
            + $"Load: {settings.WorkersPerKind} chatters, {settings.WorkersPerKind} bidders and {settings.WorkersPerKind} venue members at {settings.OpsPerSecond} requests/s each, "
            + $"3 watchers (one per node) on the conversation and the lobby. Faults: SIGKILL a node ({settings.DownFor.TotalSeconds:0} s down), "
            + $"kill Redis and start it empty, PostgreSQL immediate stop and start, SIGSTOP a node {settings.PauseFor.TotalSeconds:0} s. "
            + $"Presence TTL {settings.PresenceTtlSeconds} s; checks repeated until they hold, at most {settings.SettleBound.TotalSeconds:0} s. "
            + $"Retries: {load?.Retries ?? 0} attempts retried, {load?.Reconnects ?? 0} connections replaced.");
        md.AppendLine();
        md.AppendLine("| " + string.Join(" | ", Columns) + " |");
        md.AppendLine("|" + string.Concat(Enumerable.Repeat(" --- |", Columns.Length)));
        foreach (var r in results)
        {
            md.AppendLine("| " + string.Join(" | ", Row(r)) + " |");
        }
        md.AppendLine();
        foreach (var r in results.Where(r => r.Notes.Count > 0))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {r.Fault} (round {r.Round}): {string.Join("; ", r.Notes)}");
        }
        if (failure is not null)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- run stopped early: {failure}");
        }
        md.AppendLine(CultureInfo.InvariantCulture,
            $"- verdict: {(failure is null && results.Count > 0 && results.All(r => r.Clean) ? "every fault survived, nothing lost" : "LOSS or failure, see above")}");
        var path = Path.Combine(settings.OutputFolder, $"{stamp}.md");
        File.WriteAllText(path, md.ToString());
        File.WriteAllText(Path.Combine(settings.OutputFolder, settings.Quick ? "latest-quick.md" : "latest.md"), md.ToString());
        return path;
    }
}
