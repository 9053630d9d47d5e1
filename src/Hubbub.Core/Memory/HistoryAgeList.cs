namespace Hubbub.Core.Memory;

/// <summary>
/// Every publication the node's in-memory history holds, oldest first, with their total size: what lets the
/// store stay within <see cref="HubbubOptions.MaxHistoryBytes"/> by evicting the oldest publication of any
/// channel. Entries are added under their stream's lock, in offset order, so within a stream this list's order is
/// the stream's: the oldest entry overall is always at the head of its own stream.
/// </summary>
internal sealed class HistoryAgeList(long maxBytes)
{
    private readonly Lock _gate = new();
    private HistoryEntry? _oldest;
    private HistoryEntry? _newest;
    private long _bytes;

    /// <summary>The bytes of every publication listed.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Lists a new entry as the newest; true when the total is now over the bound.</summary>
    public bool Add(HistoryEntry entry)
    {
        lock (_gate)
        {
            entry.Older = _newest;
            if (_newest is null)
            {
                _oldest = entry;
            }
            else
            {
                _newest.Newer = entry;
            }
            _newest = entry;
            entry.Listed = true;
            _bytes += entry.Bytes;
            return _bytes > maxBytes;
        }
    }

    /// <summary>Unlists an entry its stream let go (trimmed or expired); nothing if it was evicted already.</summary>
    public void Remove(HistoryEntry entry)
    {
        lock (_gate)
        {
            Unlink(entry);
        }
    }

    /// <summary>
    /// Unlists and returns the oldest entry while the total is over the bound, else null. The caller then takes it
    /// out of its stream (it is at that stream's head).
    /// </summary>
    public HistoryEntry? TakeOldestIfOver()
    {
        lock (_gate)
        {
            if (_bytes <= maxBytes || _oldest is not { } oldest)
            {
                return null;
            }
            Unlink(oldest);
            return oldest;
        }
    }

    private void Unlink(HistoryEntry entry)
    {
        if (!entry.Listed)
        {
            return;
        }
        if (entry.Older is null)
        {
            _oldest = entry.Newer;
        }
        else
        {
            entry.Older.Newer = entry.Newer;
        }
        if (entry.Newer is null)
        {
            _newest = entry.Older;
        }
        else
        {
            entry.Newer.Older = entry.Older;
        }
        entry.Older = entry.Newer = null;
        entry.Listed = false;
        _bytes -= entry.Bytes;
    }
}
