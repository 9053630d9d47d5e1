using System.Collections.Concurrent;
using System.Text;
using Hubbub.Core.Seams;

namespace Hubbub.Core.Memory;

/// <summary>
/// In-process history: one bounded stream per channel published to. Publications are held until their
/// namespace's count or age bound lets them go, or until the node's total (<see cref="HubbubOptions.MaxHistoryBytes"/>)
/// needs the room, oldest first across every channel. <see cref="Sweep"/> (run by <see cref="MemoryHistorySweeper"/>)
/// frees expired publications in the background and removes streams that hold none and that nobody on this node
/// follows, so a channel costs nothing once it is quiet.
/// </summary>
/// <remarks>
/// A channel without a stream (never published to, or removed) reads as offset 0 of the epoch its next stream
/// opens under (<see cref="StreamEpochs"/>); a removed stream's channel starts over at offset 1 under a new epoch,
/// so a client recovering from the old one is told <c>recovered:false</c>. While a stream is followed (subscribed on
/// this node), it stays as a tombstone of a few dozen bytes that keeps its epoch and offset: a quiet channel's
/// subscribers never see its offsets restart.
/// </remarks>
public sealed class MemoryHistoryStore : IHistoryStore
{
    /// <summary>
    /// What one held publication is counted as beyond its frame and data bytes (the frame is rebuilt when read, so it is
    /// counted, not held: the count is what the bound was set in, and what a read of it costs).
    /// </summary>
    public const int EntryOverheadBytes = 256;

    private readonly ConcurrentDictionary<string, ChannelStream> _streams = new(StringComparer.Ordinal);
    private readonly StreamEpochs _epochs = new();
    private readonly HistoryLog _log;
    private readonly TimeProvider _time;

    /// <summary>Creates an empty store bounded by the default <see cref="HubbubOptions.MaxHistoryBytes"/>.</summary>
    public MemoryHistoryStore(TimeProvider time)
        : this(time, new HubbubOptions().MaxHistoryBytes)
    {
    }

    /// <summary>Creates an empty store holding at most about <paramref name="maxBytes"/> of publications.</summary>
    public MemoryHistoryStore(TimeProvider time, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        _time = time;
        _log = new HistoryLog(maxBytes);
    }

    /// <summary>The bytes of the publications held (frames and data plus <see cref="EntryOverheadBytes"/> each).</summary>
    public long HeldBytes => _log.Bytes;

    /// <summary>The log that orders what is held and holds its bytes (its own bounds, for tests).</summary>
    internal HistoryLog Log => _log;

    /// <summary>Streams in the table: channels holding publications, and followed tombstones.</summary>
    public int StreamCount => _streams.Count;

    /// <summary>
    /// Appends under the stream's lock and calls <paramref name="deliver"/> while still holding it, so
    /// publications of one channel are delivered in offset order even when published concurrently.
    /// </summary>
    public Publication Append(string channel, PublicationDraft draft, HistoryPolicy policy, long timestamp, Action<Publication> deliver)
    {
        while (true)
        {
            var stream = _streams.GetOrAdd(channel, static (name, epochs) => new ChannelStream(name, epochs.Of(name)), _epochs);
            Publication publication;
            bool overBound;
            lock (stream)
            {
                if (stream.Dropped)
                {
                    continue; // swept away between the lookup and the lock: the channel's next stream is a new one
                }
                publication = new Publication(stream.Channel, stream.Offset + 1, stream.Epoch, draft, timestamp);
                stream.Offset = publication.Offset;
                overBound = Keep(stream, publication, policy);
                deliver(publication);
            }
            if (overBound)
            {
                EvictOldest();
            }
            return publication;
        }
    }

    /// <inheritdoc />
    public ValueTask<StreamTop> GetTopAsync(string channel, CancellationToken cancellationToken = default)
    {
        if (_streams.TryGetValue(channel, out var stream))
        {
            lock (stream)
            {
                if (!stream.Dropped)
                {
                    return ValueTask.FromResult(new StreamTop(stream.Offset, stream.Epoch));
                }
            }
        }
        return ValueTask.FromResult(new StreamTop(0, _epochs.Of(channel)));
    }

    /// <inheritdoc />
    public ValueTask<HistoryResult> ReadAsync(string channel, long? sinceOffset, string? sinceEpoch, int limit,
        CancellationToken cancellationToken = default)
    {
        if (_streams.TryGetValue(channel, out var stream))
        {
            lock (stream)
            {
                if (!stream.Dropped)
                {
                    DropExpired(stream, _time.GetUtcNow());
                    return ValueTask.FromResult(Read(stream, new StreamTop(stream.Offset, stream.Epoch), sinceOffset, sinceEpoch, limit));
                }
            }
        }
        return ValueTask.FromResult(Read(null, new StreamTop(0, _epochs.Of(channel)), sinceOffset, sinceEpoch, limit));
    }

    /// <summary>
    /// Frees every expired publication and removes the streams left holding none that
    /// <paramref name="isFollowed"/> says nobody on this node subscribes to.
    /// </summary>
    public void Sweep(Func<string, bool> isFollowed)
    {
        var now = _time.GetUtcNow();
        foreach (var (channel, stream) in _streams)
        {
            lock (stream)
            {
                DropExpired(stream, now);
                if (stream.Count > 0 || stream.Dropped || isFollowed(channel))
                {
                    continue;
                }
                // The channel moves on to its next epoch before the stream leaves the table, so an append racing this
                // (it re-reads the table once it sees Dropped) opens the new stream under the new epoch.
                _epochs.Retire(channel);
                stream.Dropped = true;
                _streams.TryRemove(new KeyValuePair<string, ChannelStream>(channel, stream));
            }
        }
    }

    /// <summary>Holds a new publication as the policy says; true when the node's total is now over its bound.</summary>
    private bool Keep(ChannelStream stream, Publication publication, HistoryPolicy policy)
    {
        var now = _time.GetUtcNow();
        DropExpired(stream, now);
        if (policy.Size <= 0 || policy.Ttl <= TimeSpan.Zero)
        {
            return false;
        }
        var counted = publication.FrameLength + publication.Data.Length + EntryOverheadBytes;
        var overBound = _log.Add(stream, publication.Offset, counted, publication.Event, publication.Data.Span, out var slab, out var start,
            out var eventLength);
        stream.Enqueue(new HeldPublication(publication.Offset, (now + policy.Ttl).UtcTicks, publication.PublishedTimestamp, slab, start,
            eventLength, publication.Data.Length, publication.From, counted));
        while (stream.Count > policy.Size)
        {
            _log.Release(stream.Dequeue());
        }
        return overBound;
    }

    /// <summary>Evicts the node's oldest publications, whatever their channel, until the total is within its bound.</summary>
    private void EvictOldest()
    {
        while (_log.TakeOldestIfOver() is { } oldest)
        {
            var stream = oldest.Stream;
            lock (stream)
            {
                // The record's publication, and any older one of its stream still held (another thread evicting took
                // its record first and waits for this lock), are at the stream's head.
                while (stream.Count > 0 && stream[0].Offset <= oldest.Offset)
                {
                    _log.Release(stream.Dequeue());
                }
            }
        }
    }

    private void DropExpired(ChannelStream stream, DateTimeOffset now)
    {
        while (stream.Count > 0 && stream[0].ExpiresAtTicks <= now.UtcTicks)
        {
            _log.Release(stream.Dequeue());
        }
    }

    /// <summary>A held publication as the publication it was (its frame built again when sent).</summary>
    private static Publication Rebuild(ChannelStream stream, in HeldPublication held)
    {
        var bytes = held.Slab.Bytes.AsSpan(held.Start, held.EventLength + held.DataLength);
        var draft = new PublicationDraft(Encoding.UTF8.GetString(bytes[..held.EventLength]), bytes[held.EventLength..].ToArray(), held.From);
        return new Publication(stream.Channel, held.Offset, stream.Epoch, draft, held.PublishedTimestamp);
    }

    private static HistoryResult Read(ChannelStream? stream, StreamTop top, long? sinceOffset, string? sinceEpoch, int limit)
    {
        if (sinceEpoch is not null && !string.Equals(sinceEpoch, top.Epoch, StringComparison.Ordinal))
        {
            return new HistoryResult([], top, Complete: false);
        }
        var count = stream?.Count ?? 0;
        var result = new List<Publication>(Math.Min(limit, count));
        if (sinceOffset is { } since)
        {
            if (since > top.Offset)
            {
                return new HistoryResult([], top, Complete: false);
            }
            // The oldest publication still held must directly follow what the client saw.
            var oldest = count > 0 ? stream![0].Offset : top.Offset + 1;
            var complete = since >= top.Offset || oldest <= since + 1;
            for (var i = 0; i < count && result.Count < limit; i++)
            {
                if (stream![i].Offset > since)
                {
                    result.Add(Rebuild(stream, stream[i]));
                }
            }
            return new HistoryResult(result, top, complete);
        }

        for (var i = Math.Max(0, count - limit); i < count; i++)
        {
            result.Add(Rebuild(stream!, stream![i]));
        }
        return new HistoryResult(result, top, Complete: true);
    }
}
