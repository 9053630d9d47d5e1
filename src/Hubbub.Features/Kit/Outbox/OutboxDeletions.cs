using System.Collections.Concurrent;
using Hubbub.Features.Kit.Diagnostics;
using Hubbub.Storage;

namespace Hubbub.Features.Kit.Outbox;

/// <summary>
/// Deletes the outbox rows committing requests have just published, many requests' rows in one transaction, off the
/// requests' flow. A row is deleted once published (deleted = done); until then it stays claimed by this node for the
/// lease, so no other node or sweep publishes it meanwhile. Deleting one request's rows in a transaction of their own
/// doubled the write transactions of every feature write, and on SQLite each waits its turn for the single write lock;
/// coalesced, one delete follows however many commits happened while the previous one ran. Nothing about delivery
/// changes: a node that dies before the delete republishes those rows after the lease (at least once, as before), and
/// a node that stops gracefully deletes what is left first (<see cref="FlushAsync"/>).
/// </summary>
internal sealed class OutboxDeletions(IDatabase database, ILogger logger, int leaseMs, Action wakeLoop)
{
    // Everything queued goes in one transaction (up to this many rows, in statements of OutboxStore.DeleteChunk): under a
    // sustained load each transaction waits its turn behind the feature writes, so deleting a fixed 500 per turn fell
    // behind the rows being published, and rows whose deletion lagged past the lease were published again.
    private const int BatchSize = 50_000;

    private readonly ConcurrentQueue<long> _ids = new();
    private int _running;

    /// <summary>Queues published rows for deletion and makes sure a deleter runs.</summary>
    public void Add(IReadOnlyList<long> ids)
    {
        foreach (var id in ids)
        {
            _ids.Enqueue(id);
        }
        if (ids.Count > 0 && Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            _ = Task.Run(RunAsync);
        }
    }

    /// <summary>Deletes whatever is queued now, on the caller's flow (for a graceful stop).</summary>
    public async Task FlushAsync()
    {
        while (await DeleteBatchAsync())
        {
        }
    }

    private async Task RunAsync()
    {
        while (true)
        {
            while (await DeleteBatchAsync())
            {
            }
            Volatile.Write(ref _running, 0);
            // An id queued after the last batch and before the flag cleared found a deleter running: take it over.
            if (_ids.IsEmpty || Interlocked.CompareExchange(ref _running, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private async Task<bool> DeleteBatchAsync()
    {
        var batch = new List<long>(Math.Min(_ids.Count, BatchSize));
        while (batch.Count < BatchSize && _ids.TryDequeue(out var id))
        {
            batch.Add(id);
        }
        if (batch.Count == 0)
        {
            return false;
        }
        try
        {
            await OutboxStore.DeleteAsync(database, batch, CancellationToken.None);
        }
#pragma warning disable CA1031 // The rows stay claimed until their lease expires; then the loop publishes them again (at least once).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            KitLog.SweepFailed(logger, ex, "Outbox (deleting published rows)", leaseMs);
            wakeLoop();
        }
        return true;
    }
}
