using Hubbub.Core.Seams;

namespace Hubbub.Core.Publishing;

/// <summary>
/// A broker shared by several nodes that publishes a channel's publications in the order of a sequence the caller took
/// with its change (<see cref="IChannelPublisher.PublishInOrderAsync"/>):
/// the feature kit numbers each channel's transactions in the order they commit, in the shared database, and two nodes
/// publishing right after each other must not give them offsets the other way round.
/// </summary>
public interface ISequencedBroker
{
    /// <summary>
    /// Publishes <paramref name="drafts"/> on <paramref name="channel"/> like <see cref="IMultiPublishBroker.PublishAllAsync"/>,
    /// as the channel's <paramref name="sequence"/>: at once when it is the channel's next (or an old one, late), then the
    /// held ones that follow it; when it is ahead, held until the ones before it arrive, for a bounded time after which
    /// it goes out anyway (a node that died between its commit and its publication must not hold the channel). Returns
    /// when they are published, by this call or by the one that released them.
    /// </summary>
    ValueTask PublishInOrderAsync(string channel, IReadOnlyList<PublicationDraft> drafts, HistoryPolicy policy, long sequence,
        CancellationToken cancellationToken = default);
}
