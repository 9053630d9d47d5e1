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
}
