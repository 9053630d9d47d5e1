using System.Diagnostics;
using Hubbub.Core.Seams;

namespace Hubbub.Core.Memory;

/// <summary>
/// The single-node broker: appends to <see cref="MemoryHistoryStore"/> and hands the publication straight
/// to this node's subscribers. There are no other nodes to reach.
/// </summary>
public sealed class MemoryBroker : IBroker
{
    private readonly MemoryHistoryStore _history;
    private readonly IBrokerSink _sink;

    /// <summary>Creates the broker over the in-memory history, delivering to <paramref name="sink"/>.</summary>
    public MemoryBroker(MemoryHistoryStore history, IBrokerSink sink)
    {
        _history = history;
        _sink = sink;
    }

    /// <inheritdoc />
    public ValueTask<Publication> PublishAsync(string channel, PublicationDraft draft, HistoryPolicy policy,
        CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_history.Append(channel, draft, policy, Stopwatch.GetTimestamp(), _sink.OnPublication));

    /// <inheritdoc />
    public ValueTask PublishEphemeralAsync(string channel, EphemeralEvent ephemeral, CancellationToken cancellationToken = default)
    {
        _sink.OnEphemeral(channel, ephemeral);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask SubscribeAsync(string channel, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask UnsubscribeAsync(string channel, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
