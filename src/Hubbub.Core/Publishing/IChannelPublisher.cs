namespace Hubbub.Core.Publishing;

/// <summary>
/// What a feature needs of the real-time core: publish on a channel, publish to many users' own channels, and end a
/// user's subscriptions to a channel they lost access to. Features depend on this, never on the engine or on
/// connections; the feature kit calls it after a transaction commits (through its outbox).
/// </summary>
public interface IChannelPublisher
{
    /// <summary>
    /// Publishes <paramref name="data"/> (UTF-8 JSON) as event <paramref name="eventType"/> on <paramref name="channel"/>,
    /// without permission checks (the server decides); returns its offset. Refuses an invalid channel or type with
    /// <see cref="HubbubException"/>.
    /// </summary>
    ValueTask<long> PublishAsync(string channel, string eventType, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when <see cref="PublishAllAsync"/> publishes all of its events or none (one Redis script): then a caller that
    /// retries a failure may retry them all without sending any twice. False by default.
    /// </summary>
    bool PublishesAllAtOnce => false;

    /// <summary>
    /// Publishes <paramref name="events"/> on <paramref name="channel"/> in their order, in one step where the broker can
    /// (one Redis round trip for all; <see cref="PublishesAllAtOnce"/>). Every event type is checked before anything is
    /// sent: one refused (<see cref="HubbubException"/>, not <c>internal</c>) refuses them all and publishes none. By
    /// default one <see cref="PublishAsync"/> after the other (a failure may then leave the first ones published).
    /// </summary>
    async ValueTask PublishAllAsync(string channel, IReadOnlyList<ChannelEvent> events, CancellationToken cancellationToken = default)
    {
        foreach (var e in events)
        {
            await PublishAsync(channel, e.EventType, e.Data, cancellationToken);
        }
    }

    /// <summary>
    /// True when the publisher is shared by several nodes and publishes a channel's sequenced publications
    /// (<see cref="PublishInOrderAsync"/>) in the order of their sequences (Redis): only then is a sequence worth taking.
    /// False by default.
    /// </summary>
    bool OrdersAcrossNodes => false;

    /// <summary>
    /// Publishes <paramref name="events"/> like <see cref="PublishAllAsync"/> as the channel's <paramref name="sequence"/> (taken with the change that made them, in commit order): where
    /// <see cref="OrdersAcrossNodes"/>, a publication that arrives before an earlier sequence waits for it (bounded).
    /// By default the sequence is ignored.
    /// </summary>
    ValueTask PublishInOrderAsync(string channel, IReadOnlyList<ChannelEvent> events, long sequence, CancellationToken cancellationToken = default) =>
        PublishAllAsync(channel, events, cancellationToken);

    /// <summary>Publishes the same event on <c>user:{id}</c> of every user listed, in order.</summary>
    ValueTask PublishToUsersAsync(IEnumerable<string> users, string eventType, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends every subscription of <paramref name="user"/> to <paramref name="channel"/> on every node (each gets
    /// <c>unsubscribed</c> with <paramref name="reason"/>).
    /// </summary>
    ValueTask EndSubscriptionsAsync(string user, string channel, string reason, CancellationToken cancellationToken = default);
}
