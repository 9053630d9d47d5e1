namespace Hubbub.Features.Kit.Outbox;

/// <summary>
/// Keeps a channel's publications in the order their transactions committed on this node. Why: each committing request
/// publishes its own rows on its own flow (no poll between commit and delivery), so two writes to one user, committed
/// one after the other, could be published the other way round, and a client that shows the last frame would show a
/// stale balance, price or XP total. A transaction takes a <see cref="Turn"/> inside itself, after its writes and before
/// its commit: a write that conflicts with an earlier one waits on its row locks (PostgreSQL) or on the single writer
/// (SQLite) until that one committed, so it takes its turn after it. Its publications on a channel then wait until the
/// transactions that took turns before it on that channel have published theirs.
/// </summary>
internal sealed class ChannelOrder
{
    /// <summary>
    /// How long a publication waits for an earlier transaction's before it goes anyway (an earlier flow that never
    /// published would otherwise hold its channels forever; order is then given up, nothing is lost).
    /// </summary>
    internal static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task> _last = new(StringComparer.Ordinal); // per channel: the latest turn's completion

    /// <summary>
    /// A turn behind every earlier one that publishes on any of <paramref name="rows"/>' channels, carrying the
    /// transaction's <paramref name="sequences"/> (per channel, across nodes: <see cref="ChannelSequences"/>) if it took any.
    /// </summary>
    public Turn Take(IReadOnlyList<OutboxRow> rows, Dictionary<string, long>? sequences = null)
    {
        var channels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            foreach (var entry in row.Publications())
            {
                channels.Add(entry.Channel);
            }
        }
        var turn = new Turn(this, channels) { Sequences = sequences };
        lock (_gate)
        {
            foreach (var channel in channels)
            {
                if (_last.TryGetValue(channel, out var before) && !before.IsCompleted)
                {
                    (turn.Before ??= new(StringComparer.Ordinal))[channel] = before;
                }
                _last[channel] = turn.Completion;
            }
        }
        return turn;
    }

    private void Forget(Turn turn)
    {
        lock (_gate)
        {
            foreach (var channel in turn.Channels)
            {
                // Only if no later turn took the channel since: the map holds channels with a turn in flight, no more.
                if (_last.TryGetValue(channel, out var last) && ReferenceEquals(last, turn.Completion))
                {
                    _last.Remove(channel);
                }
            }
        }
    }

    /// <summary>One transaction's place in the order of its channels.</summary>
    internal sealed class Turn(ChannelOrder order, HashSet<string> channels)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal HashSet<string> Channels => channels;

        internal Task Completion => _done.Task;

        internal Dictionary<string, Task>? Before { get; set; }

        /// <summary>The transaction's sequence on each channel it publishes on, when it took them (several nodes).</summary>
        internal Dictionary<string, long>? Sequences { get; init; }

        /// <summary>The transaction's sequence on <paramref name="channel"/>, or null.</summary>
        public long? SequenceOf(string channel) => Sequences is { } sequences && sequences.TryGetValue(channel, out var sequence) ? sequence : null;

        /// <summary>Waits until the earlier turns on <paramref name="channel"/> published (or gave up: <see cref="MaxWait"/>).</summary>
        public async Task WaitForAsync(string channel)
        {
            if (Before is { } before && before.TryGetValue(channel, out var earlier))
            {
                try
                {
                    await earlier.WaitAsync(MaxWait);
                }
                catch (TimeoutException)
                {
                    // Given up, as MaxWait says: the earlier flow is stuck, this one's publications go out.
                }
            }
        }

        /// <summary>This transaction published (or rolled back, or gave up): the next turns go on.</summary>
        public void Done()
        {
            if (_done.TrySetResult())
            {
                order.Forget(this);
            }
        }
    }
}
