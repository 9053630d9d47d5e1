using System.Text;

namespace Hubbub.Core.Memory;

/// <summary>
/// Every publication the node's in-memory history holds, in the order they were held, with their total size: what
/// lets the store stay within <see cref="HubbubOptions.MaxHistoryBytes"/> by evicting the oldest publication of any
/// channel. Also where their bytes are: each publication's event type and data are copied into large slabs, written
/// in that same order, so holding a publication allocates nothing of its own.
/// </summary>
/// <remarks>
/// <para>
/// Records are added under their stream's lock, in offset order, so within a stream this log's order is the stream's:
/// the oldest record overall that is still held is always at the head of its own stream. A stream lets publications go
/// from its head on its own (its count bound, expiry); their records stay here until they reach the front, where they
/// are dropped unread (<see cref="ChannelStream.IsLetGo"/>).
/// </para>
/// <para>
/// Memory is bounded three ways, each by evicting the oldest publications still held: the publications' counted bytes
/// (the bound as documented), the slabs (a slab is freed once nothing in it is held, so a long-lived publication keeps
/// its slab; at most two slabs beyond the bound), and the records (let-go records behind a long-lived one wait for it).
/// </para>
/// </remarks>
internal sealed class HistoryLog
{
    private readonly Lock _gate = new();
    private readonly long _maxBytes;
    private readonly int _slabBytes;
    private readonly int _maxRecords;
    private readonly Stack<PayloadSlab> _spareSlabs = new();
    private LogRecord[] _records = [];
    private int _front;
    private int _count;
    private long _held;
    private long _slabsInUse;
    private PayloadSlab? _current;

    /// <summary>A log bounded by <paramref name="maxBytes"/> of counted bytes.</summary>
    public HistoryLog(long maxBytes)
    {
        _maxBytes = maxBytes;
        // 256 KiB slabs at the default bound: on the large-object heap from the start, so storing a reference to one
        // never marks a card, and 1/1024 of the bound each. Small bounds (tests, tiny nodes) get small slabs.
        _slabBytes = (int)Math.Clamp(maxBytes / 64, 4096, 256 * 1024);
        _maxRecords = (int)Math.Clamp(maxBytes / MemoryHistoryStore.EntryOverheadBytes, 1024, 16 * 1024 * 1024);
    }

    /// <summary>The counted bytes of every publication held.</summary>
    public long Bytes => Volatile.Read(ref _held);

    /// <summary>The bytes of the slabs in use (what the node holds the publications' bytes in).</summary>
    public long SlabBytes
    {
        get
        {
            lock (_gate)
            {
                return _slabsInUse;
            }
        }
    }

    /// <summary>Records in the log, let-go ones not yet dropped included.</summary>
    public int Records
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>One slab's size.</summary>
    public int SlabSize => _slabBytes;

    /// <summary>
    /// Copies a publication's event type and data into the slabs and records it as the newest; true when the log is
    /// now over a bound. The caller holds the stream's lock and then holds the publication in the stream.
    /// </summary>
    public bool Add(ChannelStream stream, long offset, int countedBytes, string eventType, ReadOnlySpan<byte> data,
        out PayloadSlab slab, out int start, out int eventLength)
    {
        eventLength = Encoding.UTF8.GetByteCount(eventType);
        var length = eventLength + data.Length;
        lock (_gate)
        {
            slab = SlabFor(length);
            start = slab.Used;
            Encoding.UTF8.GetBytes(eventType, slab.Bytes.AsSpan(start, eventLength));
            data.CopyTo(slab.Bytes.AsSpan(start + eventLength));
            slab.Used += length;
            slab.Held++;
            DropLetGoFront();
            Push(new LogRecord(stream, offset));
            _held += countedBytes;
            return IsOver;
        }
    }

    /// <summary>Lets a held publication go (its stream trimmed, expired or evicted it), under its stream's lock.</summary>
    public void Release(in HeldPublication publication)
    {
        lock (_gate)
        {
            _held -= publication.CountedBytes;
            if (--publication.Slab.Held == 0 && publication.Slab != _current)
            {
                Free(publication.Slab);
            }
        }
    }

    /// <summary>
    /// The oldest record still held while the log is over a bound, else null. The caller then lets go, under that
    /// stream's lock, every publication of the stream up to that offset (they are at the stream's head).
    /// </summary>
    public LogRecord? TakeOldestIfOver()
    {
        lock (_gate)
        {
            DropLetGoFront();
            if (!IsOver || _count == 0)
            {
                return null;
            }
            return Pop();
        }
    }

    private bool IsOver => _held > _maxBytes || _slabsInUse > _maxBytes + (2L * _slabBytes) || _count > _maxRecords;

    private PayloadSlab SlabFor(int length)
    {
        if (length > _slabBytes)
        {
            // Larger than a slab: one of its own, freed with the publication.
            _slabsInUse += length;
            return new PayloadSlab(new byte[length]);
        }
        if (_current is null || _current.Bytes.Length - _current.Used < length)
        {
            var full = _current;
            _current = _spareSlabs.TryPop(out var spare) ? spare : new PayloadSlab(new byte[_slabBytes]);
            _slabsInUse += _slabBytes;
            if (full is { Held: 0 })
            {
                Free(full);
            }
        }
        return _current;
    }

    private void Free(PayloadSlab slab)
    {
        _slabsInUse -= slab.Bytes.Length;
        if (slab.Bytes.Length == _slabBytes && _spareSlabs.Count < 2)
        {
            slab.Used = 0;
            _spareSlabs.Push(slab);
        }
    }

    private void DropLetGoFront()
    {
        while (_count > 0 && _records[_front].Stream.IsLetGo(_records[_front].Offset))
        {
            Pop();
        }
    }

    private void Push(LogRecord record)
    {
        if (_count == _records.Length)
        {
            var larger = new LogRecord[Math.Max(64, _records.Length * 2)];
            for (var i = 0; i < _count; i++)
            {
                larger[i] = _records[(_front + i) % _records.Length];
            }
            _records = larger;
            _front = 0;
        }
        _records[(_front + _count) % _records.Length] = record;
        _count++;
    }

    private LogRecord Pop()
    {
        var record = _records[_front];
        _records[_front] = default;
        _front = (_front + 1) % _records.Length;
        if (--_count == 0 && _records.Length > 1024)
        {
            _records = []; // a burst's records array goes once the log is empty
            _front = 0;
        }
        return record;
    }
}

/// <summary>A publication's place in the log: its stream and offset.</summary>
internal readonly record struct LogRecord(ChannelStream Stream, long Offset);

/// <summary>A slab of publications' bytes, written front to back; freed once none of them is held.</summary>
internal sealed class PayloadSlab(byte[] bytes)
{
    /// <summary>The bytes.</summary>
    public byte[] Bytes { get; } = bytes;

    /// <summary>How far it is written.</summary>
    public int Used { get; set; }

    /// <summary>How many publications in it are held.</summary>
    public int Held { get; set; }
}
