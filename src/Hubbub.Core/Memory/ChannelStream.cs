using Hubbub.Protocol;

namespace Hubbub.Core.Memory;

/// <summary>One channel's in-memory stream: its position and the publications still held. Guarded by its own lock.</summary>
/// <remarks>
/// The publications held are values in a ring (<see cref="HeldPublication"/>), their bytes in the log's slabs
/// (<see cref="HistoryLog"/>): holding one adds no object to the heap. A node holding every recent publication as objects
/// of its own made each collection copy and mark what the last few milliseconds published (the in-memory history was
/// most of what survived a gen0 collection: docs/performance.md, "the in-memory history without an object per publication").
/// </remarks>
internal sealed class ChannelStream(string channel, string epoch)
{
    private HeldPublication[] _ring = [];
    private int _head;
    private int _count;
    private long _firstHeld;

    /// <summary>The channel (the table's key).</summary>
    public string Channel { get; } = channel;

    /// <summary>The epoch of this stream's offsets.</summary>
    public string Epoch { get; } = epoch;

    /// <summary>The latest offset.</summary>
    public long Offset { get; set; }

    /// <summary>Set when the sweep removed the stream from the table: an append that found it must look again.</summary>
    public bool Dropped { get; set; }

    /// <summary>How many publications are held.</summary>
    public int Count => _count;

    /// <summary>The i-th publication held, oldest first (offsets ascending, expiry ascending).</summary>
    public ref readonly HeldPublication this[int i] => ref _ring[(_head + i) % _ring.Length];

    /// <summary>
    /// Whether the publication at <paramref name="offset"/> is let go (trimmed, expired, evicted, or the stream dropped).
    /// Read without the stream's lock by <see cref="HistoryLog"/>: the first offset held only grows, so a stale read can
    /// only call a let-go publication held (and keep its record a little longer), never the reverse.
    /// </summary>
    public bool IsLetGo(long offset) => Dropped || offset < Volatile.Read(ref _firstHeld);

    /// <summary>Holds a publication as the newest.</summary>
    public void Enqueue(in HeldPublication publication)
    {
        if (_count == _ring.Length)
        {
            Grow();
        }
        _ring[(_head + _count) % _ring.Length] = publication;
        if (_count++ == 0)
        {
            Volatile.Write(ref _firstHeld, publication.Offset);
        }
    }

    /// <summary>Lets the oldest publication go.</summary>
    public HeldPublication Dequeue()
    {
        var oldest = _ring[_head];
        _ring[_head] = default;
        _head = (_head + 1) % _ring.Length;
        if (--_count == 0)
        {
            // A quiet channel keeps no ring: its next publication makes a small one.
            _ring = [];
            _head = 0;
            Volatile.Write(ref _firstHeld, oldest.Offset + 1);
        }
        else
        {
            Volatile.Write(ref _firstHeld, _ring[_head].Offset);
        }
        return oldest;
    }

    private void Grow()
    {
        var larger = new HeldPublication[Math.Max(4, _ring.Length * 2)];
        for (var i = 0; i < _count; i++)
        {
            larger[i] = this[i];
        }
        _ring = larger;
        _head = 0;
    }
}

/// <summary>
/// A publication held in a stream, as values: where its event type and data are in the log's slabs, and what the
/// publication is rebuilt from when history is read. Its references point at long-lived objects only (the slab, the
/// sender's connection info), so storing one marks no card for the collector.
/// </summary>
internal readonly record struct HeldPublication(long Offset, long ExpiresAtTicks, long PublishedTimestamp, PayloadSlab Slab, int Start,
    int EventLength, int DataLength, ClientInfo? From, int CountedBytes);
