namespace Hubbub.Core.Seams;

/// <summary>
/// Moves publications between nodes. <see cref="PublishAsync"/> appends to the channel's history and delivers
/// to every node as one atomic step, so offsets reach every subscriber in order.
/// </summary>
public interface IBroker
{
    /// <summary>
    /// Appends a publication to the channel's stream and delivers it to every node's subscribers. Its place in the
    /// channel's order is fixed before this returns: a caller may start its next publication without waiting for
    /// this one to complete, and the next gets the higher offset (a remote broker sends its command before it first
    /// waits; a local one completes at once).
    /// </summary>
    ValueTask<Publication> PublishAsync(string channel, PublicationDraft draft, HistoryPolicy policy,
        CancellationToken cancellationToken = default);

    /// <summary>Delivers an event that is not stored (typing, cursor, presence) to every node.</summary>
    ValueTask PublishEphemeralAsync(string channel, EphemeralEvent ephemeral, CancellationToken cancellationToken = default);

    /// <summary>This node now has a subscriber on the channel: start receiving it.</summary>
    ValueTask SubscribeAsync(string channel, CancellationToken cancellationToken = default);

    /// <summary>This node has no subscriber left on the channel.</summary>
    ValueTask UnsubscribeAsync(string channel, CancellationToken cancellationToken = default);
}

/// <summary>What a broker calls on this node when something arrives for a channel it subscribed to.</summary>
public interface IBrokerSink
{
    /// <summary>A publication for local subscribers.</summary>
    void OnPublication(Publication publication);

    /// <summary>An ephemeral event for local subscribers.</summary>
    void OnEphemeral(string channel, EphemeralEvent ephemeral);

    /// <summary>
    /// The broker cannot deliver the channel's publications up to <paramref name="position"/> (of its epoch) to this
    /// node: the stream restarted under a new epoch (<paramref name="position"/> then has offset 0 and the new
    /// epoch's publications follow), or the node missed publications its history no longer holds. Delivery goes on
    /// after <paramref name="position"/>; local subscribers that are behind it must be told (<c>stream_reset</c>).
    /// </summary>
    void OnStreamReset(string channel, StreamTop position);
}
