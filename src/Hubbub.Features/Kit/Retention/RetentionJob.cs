using Hubbub.Features.Kit.Diagnostics;
using Hubbub.Features.Kit.Scheduling;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Kit.Retention;

/// <summary>
/// The kit's pruning job (<c>kit.prune</c>): every <see cref="KitOptions.PruneEveryMinutes"/> it deletes domain events
/// older than <see cref="KitOptions.RetentionDays"/> whose handlers are all done, and idempotency keys older than that
/// (a repeat of such an old <c>id</c> is then a new call). A scheduled job like any feature's, so it runs on one node at
/// a time and on the kit's clock. It is a chain of two alternating keys: each run schedules the next under the other
/// key (a job that rescheduled its own key would roll itself back), and the seed on start adds the first only when
/// neither is pending, so several nodes never start two chains.
/// </summary>
internal sealed class RetentionJob(IDatabase database, IOptions<KitOptions> options, TimeProvider time, ILogger<RetentionJob> logger) : IHostedService
{
    /// <summary>The job kind.</summary>
    public const string Kind = "kit.prune";

    private KitOptions Options => options.Value;

    /// <summary>One run: prune, then schedule the next under the other key (none when retention is off).</summary>
    public async Task RunAsync(FeatureTransaction tx, Job job, CancellationToken ct)
    {
        if (Options.RetentionDays == 0)
        {
            return; // keep everything; the chain ends here and starts again on a start with retention on
        }
        var cutoff = tx.NowMs - (long)TimeSpan.FromDays(Options.RetentionDays).TotalMilliseconds;
        var (events, keys) = await RetentionStore.PruneAsync(tx.Db, cutoff, ct);
        KitLog.Pruned(logger, events, keys, Options.RetentionDays);
        await tx.ScheduleAsync(Kind, job.Key == "a" ? "b" : "a", DateTimeOffset.FromUnixTimeMilliseconds(tx.NowMs + Options.PruneEveryMinutes * 60_000L),
            cancellationToken: ct);
    }

    /// <summary>Seeds the chain on start (its first run is due at once), unless retention is off or a run is pending.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Options.RetentionDays == 0)
        {
            return;
        }
        try
        {
            await database.InTransactionAsync(tx => RetentionStore.SeedAsync(tx, Kind, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken),
                cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            // Not fatal: nothing is lost but disk, and the next start seeds again.
            KitLog.PruneSeedFailed(logger, ex);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
