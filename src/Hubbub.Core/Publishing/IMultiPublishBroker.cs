using Hubbub.Core.Seams;

namespace Hubbub.Core.Publishing;

/// <summary>
/// A broker that can publish several drafts on one channel in one step (<see cref="ChannelPublisher.PublishAllAsync"/>
/// uses it when the broker has it): on Redis one script and one round trip for all of them instead of one each. A broker
/// without it gets them one after the other through <see cref="IBroker.PublishAsync"/>, with the same result.
/// </summary>
public interface IMultiPublishBroker
{
    /// <summary>
    /// Publishes <paramref name="drafts"/> on <paramref name="channel"/> in their order, with consecutive offsets and
    /// nothing of another publisher between them; answers the first one's offset. Like
    /// <see cref="IBroker.PublishAsync"/> otherwise (history, ordering with publications started before it, failures).
    /// </summary>
    ValueTask<long> PublishAllAsync(string channel, IReadOnlyList<PublicationDraft> drafts, HistoryPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when <see cref="PublishChannelsAsync"/> publishes on several channels in one step, all or none (a single
    /// Redis: one script); false where it cannot (a Redis Cluster: the channels' keys are in different slots).
    /// </summary>
    bool PublishesChannelsAtOnce => false;

    /// <summary>
    /// <see cref="PublishAllAsync"/> on each of several channels in one step: every channel's drafts in their order with
    /// consecutive offsets, and all of them published or none. Only when <see cref="PublishesChannelsAtOnce"/>.
    /// </summary>
    ValueTask PublishChannelsAsync(IReadOnlyList<ChannelDrafts> channels, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("this broker publishes one channel per step");
}

/// <summary>One channel's drafts of a <see cref="IMultiPublishBroker.PublishChannelsAsync"/>, with the channel's history policy.</summary>
public sealed record ChannelDrafts(string Channel, IReadOnlyList<PublicationDraft> Drafts, HistoryPolicy Policy);
