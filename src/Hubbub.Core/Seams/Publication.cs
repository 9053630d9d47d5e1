using Hubbub.Protocol;

namespace Hubbub.Core.Seams;

/// <summary>
/// What a publisher hands to the broker: the event type, its data as raw JSON, and who sent it. The broker
/// assigns the offset.
/// </summary>
/// <param name="Event">The event type subscribers see in <c>type</c> (default <c>message</c>).</param>
/// <param name="Data">The <c>data</c> member as UTF-8 JSON.</param>
/// <param name="From">The sending user, or null for the server and features.</param>
public sealed record PublicationDraft(string Event, ReadOnlyMemory<byte> Data, ClientInfo? From);

/// <summary>
/// A publication with its place in the channel's stream. <see cref="Frame"/> is the exact bytes every
/// subscriber receives; it is built once per node, when first sent or read from history (never for one nobody follows
/// or reads back, as most on user channels; <see cref="Data"/> is an array of its own, so it can wait).
/// </summary>
public sealed class Publication
{
    /// <summary>Creates a publication; its frame is serialized on first use.</summary>
    public Publication(string channel, long offset, string epoch, PublicationDraft draft, long publishedTimestamp)
    {
        Channel = channel;
        Offset = offset;
        Epoch = epoch;
        Event = draft.Event;
        Data = draft.Data;
        From = draft.From;
        PublishedTimestamp = publishedTimestamp;
        // Built when first sent or read from history: most publications on user channels are followed by nobody.
        FrameLength = FrameWriter.ChannelEventLength(draft.Event, channel, offset, draft.Data.Length, draft.From) ?? Frame.Length;
    }

    /// <summary>The channel.</summary>
    public string Channel { get; }
    /// <summary>Position in the channel's stream: 1 for the first publication, +1 for each next one.</summary>
    public long Offset { get; }
    /// <summary>The stream's epoch; it changes whenever the offsets restart.</summary>
    public string Epoch { get; }
    /// <summary>The event type.</summary>
    public string Event { get; }
    /// <summary>The data as UTF-8 JSON.</summary>
    public ReadOnlyMemory<byte> Data { get; }
    /// <summary>The sender, or null for server publications.</summary>
    public ClientInfo? From { get; }
    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp on this node when it was published or received; feeds the publish-to-send latency.</summary>
    public long PublishedTimestamp { get; }
    /// <summary>The publication's frame, built once on first use (any thread; two racing build the same bytes, one is kept).</summary>
    public byte[] Frame => _frame ?? BuildFrame();

    /// <summary><see cref="Frame"/>'s length, known without building it (the history's byte bound counts it).</summary>
    public int FrameLength { get; }

    private byte[]? _frame;

    private byte[] BuildFrame()
    {
        var frame = FrameWriter.ChannelEvent(Event, Channel, Offset, Data.Span, From);
        return Interlocked.CompareExchange(ref _frame, frame, null) ?? frame;
    }
}

/// <summary>
/// An event that is delivered but not stored: typing, cursor, presence join/leave. It carries no offset.
/// </summary>
/// <param name="Frame">The exact bytes to send.</param>
/// <param name="ExcludeUser">A user none of whose connections receive it (the typist, the cursor's owner), or null.</param>
/// <param name="ExcludeConnection">One connection that does not receive it, or null.</param>
/// <param name="EvictUser">
/// When set, the event is an eviction: only this user's subscriptions receive the frame, and each node then
/// ends them (the user lost the right to the channel, e.g. left a conversation).
/// </param>
/// <param name="Typing">
/// Set on a typing event: whose typing it is and whether it starts or stops, so each receiving node can end a
/// typing its sender's node no longer will (that node died) and drop a stop it already announced.
/// </param>
public sealed record EphemeralEvent(byte[] Frame, string? ExcludeUser, string? ExcludeConnection, string? EvictUser = null,
    TypingState? Typing = null);

/// <summary>A typing change as nodes pass it on: the typist and whether they are typing now.</summary>
public sealed record TypingState(ClientInfo User, bool IsTyping);
