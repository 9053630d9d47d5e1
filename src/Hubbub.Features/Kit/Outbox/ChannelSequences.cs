using Hubbub.Storage;

namespace Hubbub.Features.Kit.Outbox;

/// <summary>
/// Numbers a channel's transactions in the order they commit, across nodes, so the Redis broker publishes their
/// publications in that order (<see cref="Hubbub.Core.Publishing.IChannelPublisher.PublishInOrderAsync"/>). Why: each node
/// publishes its own commits right after them, and two nodes that commit changes to one auction, venue or user within
/// milliseconds could otherwise publish them the other way round (a <c>bid_placed</c> with a lower price after a higher
/// one). A transaction takes the next sequence of each channel it publishes on as the last thing before its commit: the
/// upsert locks the channel's row until the commit, so a later transaction on the channel takes its number only after
/// this one committed, and numbers follow commits. Only the commits' tails (this statement to the commit) of transactions
/// on one channel wait for each other; rows are locked in one order (sorted), so two transactions never deadlock on them.
/// PostgreSQL with a broker shared by nodes only: on one node the outbox's <see cref="ChannelOrder"/> suffices, and
/// nothing is taken.
/// </summary>
internal static class ChannelSequences
{
    /// <summary>
    /// The next sequence of each channel that <paramref name="rows"/> publish on (not ends of subscriptions alone, nor
    /// fan-outs: <see cref="OutboxRow.FanOut"/>).
    /// </summary>
    public static async Task<Dictionary<string, long>?> TakeAsync(DatabaseTransaction tx, IReadOnlyList<OutboxRow> rows, CancellationToken ct)
    {
        var channels = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.FanOut)
            {
                continue;
            }
            foreach (var entry in row.Publications())
            {
                if (entry.Kind == OutboxRow.Publish)
                {
                    channels.Add(entry.Channel);
                }
            }
        }
        if (channels.Count == 0)
        {
            return null;
        }
        // WITH ORDINALITY keeps the sorted order for the rows' locks (the same order in every transaction: no deadlock).
        var taken = await tx.QueryAsync<ChannelSequence>(
            """
            INSERT INTO kit_channel_sequences (channel, seq)
            SELECT c.value, 1 FROM unnest(CAST(@channels AS text[])) WITH ORDINALITY AS c(value, n) ORDER BY c.n
            ON CONFLICT (channel) DO UPDATE SET seq = kit_channel_sequences.seq + 1
            RETURNING channel AS Channel, seq AS Seq
            """, new { channels = channels.ToArray() }, ct);
        return taken.ToDictionary(t => t.Channel, t => t.Seq, StringComparer.Ordinal);
    }

    private sealed class ChannelSequence
    {
        public string Channel { get; set; } = "";
        public long Seq { get; set; }
    }
}
