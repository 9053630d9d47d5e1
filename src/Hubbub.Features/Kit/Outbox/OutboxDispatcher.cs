using System.Text;
using Hubbub.Core;
using Hubbub.Core.Publishing;
using Hubbub.Features.Kit.Diagnostics;
using Hubbub.Protocol;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Kit.Outbox;

/// <summary>
/// Publishes what committed transactions wrote to the outbox, in order, then deletes it (deleted = done). A committing
/// request hands its own rows over at once (<see cref="PublishCommittedAsync"/>, on the request's own flow, so a
/// command's reply still precedes the events it caused and nothing waits for a poll). The loop takes what is left:
/// rows whose publication failed (retried with backoff) and rows of a node that died between commit and publish
/// (claimable by any node once their lease expires). Delivery is at least once: a node that dies after publishing
/// and before deleting publishes that row again after the lease.
/// </summary>
public sealed class OutboxDispatcher(IDatabase database, IChannelPublisher publisher, IOptions<KitOptions> options, TimeProvider time,
    ILogger<OutboxDispatcher> logger) : KitLoop(options.Value, time, logger, "Outbox", new Wakeup())
{
    private const int BatchSize = 100;

    private OutboxDeletions? _deletions;

    // Created on first use (a field initializer cannot name this instance's Signal), once even when two requests race.
    private OutboxDeletions Deletions =>
        _deletions ?? LazyInitializer.EnsureInitialized(ref _deletions, () => new OutboxDeletions(database, logger, options.Value.LeaseMs, Signal));

    /// <summary>Wakes the loop (failed rows to retry, or another node's leftovers worth a look).</summary>
    public void Signal() => Wakeup.Signal();

    /// <summary>
    /// Publishes rows this node just committed (claimed in their own transaction), in order. Never throws: the change is
    /// committed, so its caller must hear success; what could not be published or marked done stays claimed until its
    /// lease expires and the loop takes it over.
    /// </summary>
    internal async Task PublishCommittedAsync(IReadOnlyList<OutboxRow> rows)
    {
        try
        {
            await PublishAsync(rows, CancellationToken.None, deleteLater: options.Value.OutboxCoalesceDeletes);
        }
#pragma warning disable CA1031 // See above: logged, and retried after the lease.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            KitLog.SweepFailed(logger, ex, "Outbox (after commit)", options.Value.LeaseMs);
            Signal();
        }
    }

    /// <summary>Claims and publishes every row whose claim expired, batch by batch; returns when the next one expires.</summary>
    protected override async Task<long?> SweepAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
            var claim = Guid.NewGuid().ToString("N");
            var rows = await OutboxStore.ClaimAsync(database, claim, now, now + options.Value.LeaseMs, BatchSize, cancellationToken);
            if (rows.Count == 0)
            {
                break;
            }
            await PublishAsync(rows, cancellationToken);
            if (rows.Count < BatchSize)
            {
                break;
            }
        }
        var (pending, next) = await OutboxStore.PendingAsync(database, cancellationToken);
        KitMetrics.OutboxPending.Set(pending);
        return next;
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Rows published but not yet deleted would be published again after the next start's lease: delete them now.
        await Deletions.FlushAsync();
    }

    /// <summary>
    /// Publishes rows in order (a batch row's entries in theirs), then deletes those done: at once (the loop's sweeps), or
    /// with <paramref name="deleteLater"/> coalesced with other requests' rows off the caller's flow
    /// (<see cref="OutboxDeletions"/>). A publication that fails holds back the rest of its channel: they wait, in their
    /// rows, until the failed one's retry time, and are published after it, in id order. A batch row of which some
    /// entries went out keeps only those that did not (failed or held back), so none of the others is published twice.
    /// </summary>
    private async Task PublishAsync(IReadOnlyList<OutboxRow> rows, CancellationToken ct, bool deleteLater = false)
    {
        var done = new List<long>(rows.Count);
        List<(OutboxRow Row, List<OutboxRow> Left)>? heldBack = null;
        HashSet<string>? failedChannels = null;
        var retryAt = 0L; // the latest retry time of this pass's failures, when what they held back becomes claimable
        foreach (var row in rows)
        {
            var entries = row.Publications();
            List<OutboxRow>? left = null;
            Exception? failure = null;
            foreach (var entry in entries)
            {
                if (failedChannels?.Contains(entry.Channel) == true)
                {
                    (left ??= []).Add(entry); // behind a failed publication of its channel: order first
                    continue;
                }
                try
                {
                    await PublishOneAsync(entry, ct);
                    KitMetrics.OutboxPublished.Inc();
                }
                catch (HubbubException ex) when (ex.Code != ErrorCodes.Internal)
                {
                    // The core refused the channel or type: no retry can succeed, and holding it would hold its channel.
                    // (Internal is the broker away or timing out, e.g. Redis restarting: retried below like any outage;
                    // dropping it lost committed messages' events in the chaos run.)
                    KitLog.PublishDropped(logger, entry.EventType, entry.Channel, ex.Message);
                    KitMetrics.OutboxDropped.Inc();
                }
#pragma warning disable CA1031 // Any other failure (the broker away) is retried: the change is committed, its event must follow.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    (failedChannels ??= new(StringComparer.Ordinal)).Add(entry.Channel);
                    (left ??= []).Add(entry);
                    failure ??= ex;
                    LogFailure(row, entry, ex);
                }
            }
            if (left is null)
            {
                done.Add(row.Id);
            }
            else if (failure is not null)
            {
                retryAt = Math.Max(retryAt, await FailAsync(row, left, failure));
            }
            else
            {
                (heldBack ??= []).Add((row, left));
            }
        }
        if (deleteLater)
        {
            Deletions.Add(done);
        }
        else
        {
            await OutboxStore.DeleteAsync(database, done, CancellationToken.None);
        }
        // Held back by an earlier failure of their channel: claimable again with it, not before (the sweep then takes them
        // in id order, the failed one first). A batch row keeps only what it still owes.
        await OutboxStore.ReleaseAsync(database, [.. heldBack?.Where(h => h.Row.Kind != OutboxRow.Batch).Select(h => h.Row.Id) ?? []], retryAt,
            CancellationToken.None);
        foreach (var (row, left) in heldBack?.Where(h => h.Row.Kind == OutboxRow.Batch) ?? [])
        {
            await OutboxStore.ReleaseAsync(database, row.Id, OutboxEntries.Write(left), retryAt, CancellationToken.None);
        }
    }

    /// <summary>A batch row's entries still to publish, as its new data; null for a row of one publication (unchanged).</summary>
    private static string? Remaining(OutboxRow row, List<OutboxRow> left) =>
        row.Kind != OutboxRow.Batch ? null : OutboxEntries.Write(left);

    private ValueTask PublishOneAsync(OutboxRow row, CancellationToken ct) => row.Kind switch
    {
        OutboxRow.Unsubscribe => publisher.EndSubscriptionsAsync(row.TargetUser!, row.Channel, row.EventType ?? "access withdrawn", ct),
        _ => DiscardOffset(publisher.PublishAsync(row.Channel, row.EventType!, Encoding.UTF8.GetBytes(row.Data ?? "null"), ct)),
    };

    private static async ValueTask DiscardOffset(ValueTask<long> publish) => await publish;

    private void LogFailure(OutboxRow row, OutboxRow entry, Exception ex)
    {
        var attempts = (int)row.Attempts + 1;
        KitLog.PublishFailed(logger, ex, entry.EventType, entry.Channel, attempts, (long)options.Value.RetryDelay(attempts).TotalMilliseconds);
        KitMetrics.OutboxFailures.Inc();
    }

    /// <summary>Counts the row's failure and hands it back (with only <paramref name="left"/>, for a batch) after its backoff; answers the retry time.</summary>
    private async Task<long> FailAsync(OutboxRow row, List<OutboxRow> left, Exception ex)
    {
        var retryAt = Time.GetUtcNow().ToUnixTimeMilliseconds() + (long)options.Value.RetryDelay((int)row.Attempts + 1).TotalMilliseconds;
        try
        {
            await OutboxStore.FailAsync(database, row.Id, Remaining(row, left), retryAt, ex.Message, CancellationToken.None);
        }
#pragma warning disable CA1031 // The database away too: the lease expires on its own and the row is retried then.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        Signal(); // the loop then waits for the retry time
        return retryAt;
    }
}
