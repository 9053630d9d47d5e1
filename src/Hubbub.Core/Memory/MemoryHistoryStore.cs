using System.Collections.Concurrent;
using System.Security.Cryptography;
using Hubbub.Core.Seams;

namespace Hubbub.Core.Memory;

/// <summary>
/// In-process history: one bounded stream per channel published to. Offsets live as long as the process, so one
/// epoch per store is enough: a restart makes a new store with a new epoch, which tells recovering clients
/// their history is gone. A channel only read (subscribed, never published to) gets no stream: it reads as the
/// empty stream of that epoch, so every per-user channel a connection subscribes to costs nothing here.
/// </summary>
public sealed class MemoryHistoryStore : IHistoryStore
{
    private readonly ConcurrentDictionary<string, MemoryStream> _streams = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly string _epoch = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private readonly MemoryStream _never; // what a channel without publications reads as; never written

    /// <summary>Creates an empty store.</summary>
    public MemoryHistoryStore(TimeProvider time)
    {
        _time = time;
        _never = new MemoryStream(_epoch);
    }

    /// <summary>
    /// Appends under the stream's lock and calls <paramref name="deliver"/> while still holding it, so
    /// publications of one channel are delivered in offset order even when published concurrently.
    /// </summary>
    public Publication Append(string channel, PublicationDraft draft, HistoryPolicy policy, long timestamp, Action<Publication> deliver)
    {
        var stream = _streams.GetOrAdd(channel, static (_, epoch) => new MemoryStream(epoch), _epoch);
        lock (stream)
        {
            var publication = new Publication(channel, stream.Offset + 1, stream.Epoch, draft, timestamp);
            stream.Offset = publication.Offset;
            if (policy.Size > 0 && policy.Ttl > TimeSpan.Zero)
            {
                stream.Items.Enqueue(new Stored(publication, _time.GetUtcNow() + policy.Ttl));
                while (stream.Items.Count > policy.Size)
                {
                    stream.Items.Dequeue();
                }
            }
            deliver(publication);
            return publication;
        }
    }

    /// <inheritdoc />
    public ValueTask<StreamTop> GetTopAsync(string channel, CancellationToken cancellationToken = default)
    {
        var stream = _streams.GetValueOrDefault(channel, _never);
        lock (stream)
        {
            return ValueTask.FromResult(new StreamTop(stream.Offset, stream.Epoch));
        }
    }

    /// <inheritdoc />
    public ValueTask<HistoryResult> ReadAsync(string channel, long? sinceOffset, string? sinceEpoch, int limit,
        CancellationToken cancellationToken = default)
    {
        var stream = _streams.GetValueOrDefault(channel, _never);
        lock (stream)
        {
            var top = new StreamTop(stream.Offset, stream.Epoch);
            if (sinceEpoch is not null && !string.Equals(sinceEpoch, stream.Epoch, StringComparison.Ordinal))
            {
                return ValueTask.FromResult(new HistoryResult([], top, Complete: false));
            }

            DropExpired(stream);
            var result = new List<Publication>(Math.Min(limit, stream.Items.Count));
            if (sinceOffset is { } since)
            {
                if (since > stream.Offset)
                {
                    return ValueTask.FromResult(new HistoryResult([], top, Complete: false));
                }
                // The oldest publication still held must directly follow what the client saw.
                var oldest = stream.Items.Count > 0 ? stream.Items.Peek().Publication.Offset : stream.Offset + 1;
                var complete = since >= stream.Offset || oldest <= since + 1;
                foreach (var item in stream.Items)
                {
                    if (item.Publication.Offset > since && result.Count < limit)
                    {
                        result.Add(item.Publication);
                    }
                }
                return ValueTask.FromResult(new HistoryResult(result, top, complete));
            }

            var skip = Math.Max(0, stream.Items.Count - limit);
            foreach (var item in stream.Items)
            {
                if (skip-- > 0)
                {
                    continue;
                }
                result.Add(item.Publication);
            }
            return ValueTask.FromResult(new HistoryResult(result, top, Complete: true));
        }
    }

    private void DropExpired(MemoryStream stream)
    {
        var now = _time.GetUtcNow();
        while (stream.Items.Count > 0 && stream.Items.Peek().ExpiresAt <= now)
        {
            stream.Items.Dequeue();
        }
    }

    private sealed record Stored(Publication Publication, DateTimeOffset ExpiresAt);

    private sealed class MemoryStream(string epoch)
    {
        public long Offset;
        public readonly string Epoch = epoch;
        public readonly Queue<Stored> Items = new();
    }
}
