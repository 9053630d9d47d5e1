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

    /// <summary>The order of this node's committed transactions on each channel, which their publications keep.</summary>
    internal ChannelOrder Order { get; } = new();

    /// <summary>
    /// True when the publisher keeps a channel's publications in commit order across nodes (Redis), given each
    /// transaction's sequences (<see cref="ChannelSequences"/>): only then are they taken.
    /// </summary>
    internal bool OrdersAcrossNodes => publisher.OrdersAcrossNodes;

    /// <summary>Wakes the loop (failed rows to retry, or another node's leftovers worth a look).</summary>
    public void Signal() => Wakeup.Signal();

    /// <summary>
    /// Publishes rows this node just committed (claimed in their own transaction), in order, each channel's after those
    /// of the transactions that took their <paramref name="turn"/> before. Never throws: the change is committed, so its
    /// caller must hear success; what could not be published or marked done stays claimed until its lease expires and
    /// the loop takes it over.
    /// </summary>
    internal async Task PublishCommittedAsync(IReadOnlyList<OutboxRow> rows, ChannelOrder.Turn turn)
    {
        try
        {
            await PublishAsync(rows, CancellationToken.None, deleteLater: options.Value.OutboxCoalesceDeletes, turn);
        }
#pragma warning disable CA1031 // See above: logged, and retried after the lease.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            KitLog.SweepFailed(logger, ex, "Outbox (after commit)", options.Value.LeaseMs);
            Signal();
        }
        finally
        {
            turn.Done();
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
    /// Publishes rows in order per channel (a batch row's entries in theirs), then deletes those done: at once (the loop's
    /// sweeps), or with <paramref name="deleteLater"/> coalesced with other requests' rows off the caller's flow
    /// (<see cref="OutboxDeletions"/>). Channels are independent, so their publications go out concurrently (on Redis,
    /// one round trip for an event's publications to ten users instead of ten in a row); within one channel each waits
    /// for the one before it. A publication that fails holds back the rest of its channel: they wait, in their rows,
    /// until the failed one's retry time, and are published after it, in id order. A batch row of which some entries
    /// went out keeps only those that did not (failed or held back), so none of the others is published twice.
    /// </summary>
    private async Task PublishAsync(IReadOnlyList<OutboxRow> rows, CancellationToken ct, bool deleteLater = false, ChannelOrder.Turn? turn = null)
    {
        var pass = new OutboxPass(rows);
        // Each channel's flow runs to its first wait as it is started: every channel's first publication is sent at once.
        await Task.WhenAll(pass.ByChannel().ConvertAll(channel => PublishChannelAsync(pass, channel, turn, ct)));

        var done = new List<long>(rows.Count);
        List<(OutboxRow Row, List<OutboxRow> Left)>? heldBack = null;
        var retryAt = 0L; // the latest retry time of this pass's failures, when what they held back becomes claimable
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var (left, failure) = pass.LeftOf(r);
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

    /// <summary>
    /// Publishes one channel's publications of a pass one after the other, each after the one before it came back; a run
    /// of consecutive publications (not ends of subscriptions) goes out in one call when the publisher sends such a call
    /// all or none (<see cref="IChannelPublisher.PublishesAllAtOnce"/>: on Redis, one script and one round trip). After a
    /// failure the rest are held back (order first). Never throws: each outcome is recorded in <paramref name="pass"/>.
    /// A transaction's own <paramref name="turn"/> first waits for the earlier transactions on the channel.
    /// </summary>
    private async Task PublishChannelAsync(OutboxPass pass, IReadOnlyList<OutboxPass.Position> channel, ChannelOrder.Turn? turn, CancellationToken ct)
    {
        var name = pass.Entry(channel[0]).Channel;
        if (turn is not null)
        {
            await turn.WaitForAsync(name); // behind the transactions that committed before on this channel
        }
        // The transaction's place on the channel across nodes (several nodes): its first run of publications carries it.
        var sequence = turn?.SequenceOf(name);
        var failed = false;
        var oneByOneUntil = 0; // after a run refused as a whole: its entries one by one, so only the refused one is dropped
        for (var i = 0; i < channel.Count;)
        {
            if (failed)
            {
                pass.HoldBack(channel[i++]); // behind a failed publication of its channel
                continue;
            }
            var inOrder = sequence is not null && pass.Entry(channel[i]).Kind != OutboxRow.Unsubscribe && i >= oneByOneUntil;
            var run = publisher.PublishesAllAtOnce || inOrder ? RunOfPublications(pass, channel, i) : 1;
            if ((run > 1 || inOrder) && i >= oneByOneUntil)
            {
                try
                {
                    var events = new ChannelEvent[run];
                    for (var e = 0; e < run; e++)
                    {
                        var entry = pass.Entry(channel[i + e]);
                        events[e] = new ChannelEvent(entry.EventType!, Encoding.UTF8.GetBytes(entry.Data ?? "null"));
                    }
                    if (inOrder)
                    {
                        // Used once, whatever comes of it: a retry goes out later, unsequenced, and a later sequence on
                        // the channel waits for it only a bounded time.
                        var taken = sequence!.Value;
                        sequence = null;
                        await publisher.PublishInOrderAsync(name, events, taken, ct);
                    }
                    else
                    {
                        await publisher.PublishAllAsync(name, events, ct);
                    }
                    KitMetrics.OutboxPublished.Inc(run);
                    i += run;
                    continue;
                }
                catch (HubbubException ex) when (ex.Code != ErrorCodes.Internal)
                {
                    // One of them refused (a channel or type no retry can fix), so none was sent: one by one below, which
                    // drops only the refused.
                    oneByOneUntil = i + run;
                }
#pragma warning disable CA1031 // As below: retried, the first one failed and the rest of the channel held back behind it.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failed = true;
                    pass.Fail(channel[i], ex);
                    LogFailure(pass.Row(channel[i]), pass.Entry(channel[i]), ex);
                    i++;
                    continue;
                }
            }
            failed = !await PublishEntryAsync(pass, channel[i++], ct);
        }
    }

    /// <summary>How many entries from <paramref name="start"/> on are publications (not ends of subscriptions), one after the other.</summary>
    private static int RunOfPublications(OutboxPass pass, IReadOnlyList<OutboxPass.Position> channel, int start)
    {
        var end = start;
        while (end < channel.Count && pass.Entry(channel[end]).Kind != OutboxRow.Unsubscribe)
        {
            end++;
        }
        return Math.Max(1, end - start);
    }

    /// <summary>Publishes one entry; false when it failed (recorded in <paramref name="pass"/>, to be retried).</summary>
    private async Task<bool> PublishEntryAsync(OutboxPass pass, OutboxPass.Position position, CancellationToken ct)
    {
        var entry = pass.Entry(position);
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
            pass.Fail(position, ex);
            LogFailure(pass.Row(position), entry, ex);
            return false;
        }
        return true;
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

    /// <summary>
    /// One publishing pass over rows: their entries grouped by channel (each group in row and entry order) and what became
    /// of each entry. Each group is written by one flow at a time and read after all are done.
    /// </summary>
    private sealed class OutboxPass
    {
        private static readonly Exception HeldBack = new InvalidOperationException("held back behind a failed publication of its channel");

        private readonly IReadOnlyList<OutboxRow> _rows;
        private readonly IReadOnlyList<OutboxRow>[] _entries;
        private readonly Exception?[]?[] _outcomes; // per row and entry: null = published (or dropped), HeldBack, or the failure

        public OutboxPass(IReadOnlyList<OutboxRow> rows)
        {
            _rows = rows;
            _entries = new IReadOnlyList<OutboxRow>[rows.Count];
            _outcomes = new Exception?[]?[rows.Count];
            for (var r = 0; r < rows.Count; r++)
            {
                _entries[r] = rows[r].Publications();
            }
        }

        /// <summary>An entry's place: its row's and its own index.</summary>
        public readonly record struct Position(int Row, int Entry);

        /// <summary>The entries grouped by channel, in the order each channel first appears; each group in publishing order.</summary>
        public List<List<Position>> ByChannel()
        {
            // Without LINQ's grouping: a pass runs after every commit, and an event's pass has a dozen channels.
            var groups = new List<List<Position>>();
            var byChannel = new Dictionary<string, List<Position>>(StringComparer.Ordinal);
            for (var r = 0; r < _entries.Length; r++)
            {
                for (var e = 0; e < _entries[r].Count; e++)
                {
                    var channel = _entries[r][e].Channel;
                    if (!byChannel.TryGetValue(channel, out var group))
                    {
                        byChannel.Add(channel, group = []);
                        groups.Add(group); // groups in first-appearance order, entries in theirs
                    }
                    group.Add(new Position(r, e));
                }
            }
            return groups;
        }

        public OutboxRow Row(Position at) => _rows[at.Row];

        public OutboxRow Entry(Position at) => _entries[at.Row][at.Entry];

        public void HoldBack(Position at) => Outcomes(at.Row)[at.Entry] = HeldBack;

        public void Fail(Position at, Exception ex) => Outcomes(at.Row)[at.Entry] = ex;

        /// <summary>A row's entries not published (failed or held back), in their order, and its first failure; (null, null) when all went out.</summary>
        public (List<OutboxRow>? Left, Exception? Failure) LeftOf(int row)
        {
            if (_outcomes[row] is not { } outcomes)
            {
                return (null, null);
            }
            List<OutboxRow>? left = null;
            Exception? failure = null;
            for (var e = 0; e < outcomes.Length; e++)
            {
                if (outcomes[e] is { } outcome)
                {
                    (left ??= []).Add(_entries[row][e]);
                    if (!ReferenceEquals(outcome, HeldBack))
                    {
                        failure ??= outcome;
                    }
                }
            }
            return (left, failure);
        }

        // Rows' outcome arrays are made on the first entry that did not go out. Two channels' flows may both make one row's
        // array at once, so it is made with an exchange and never replaced.
        private Exception?[] Outcomes(int row) =>
            _outcomes[row] ?? Interlocked.CompareExchange(ref _outcomes[row], new Exception?[_entries[row].Count], null) ?? _outcomes[row]!;
    }
}
