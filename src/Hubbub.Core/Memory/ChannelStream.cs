using Hubbub.Core.Seams;

namespace Hubbub.Core.Memory;

/// <summary>One channel's in-memory stream: its position and the publications still held. Guarded by its own lock.</summary>
internal sealed class ChannelStream(string channel, string epoch)
{
    /// <summary>The channel (the table's key, shared by every publication held).</summary>
    public string Channel { get; } = channel;

    /// <summary>The epoch of this stream's offsets.</summary>
    public string Epoch { get; } = epoch;

    /// <summary>The latest offset.</summary>
    public long Offset { get; set; }

    /// <summary>Set when the sweep removed the stream from the table: an append that found it must look again.</summary>
    public bool Dropped { get; set; }

    /// <summary>Publications held, oldest first (offsets ascending, expiry ascending).</summary>
    public Queue<HistoryEntry> Entries { get; } = new();
}

/// <summary>A publication held in a stream, linked into the node's oldest-first list of everything held.</summary>
internal sealed class HistoryEntry(Publication publication, DateTimeOffset expiresAt, long bytes, ChannelStream stream)
{
    /// <summary>The publication.</summary>
    public Publication Publication { get; } = publication;

    /// <summary>When it expires.</summary>
    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    /// <summary>What it is counted as against <see cref="HubbubOptions.MaxHistoryBytes"/>.</summary>
    public long Bytes { get; } = bytes;

    /// <summary>The stream holding it.</summary>
    public ChannelStream Stream { get; } = stream;

    // Links of HistoryAgeList, guarded by its lock. Listed is read without it by the stream's owner, hence volatile.
    internal HistoryEntry? Older;
    internal HistoryEntry? Newer;
    internal volatile bool Listed;
}
