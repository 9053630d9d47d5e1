using System.Collections.Concurrent;
using Hubbub.Core.Connections;
using Hubbub.Core.Seams;

namespace Hubbub.Core.Channels;

/// <summary>
/// This node's subscribers per channel, and the broker's sink: a publication arriving for a channel is handed
/// to each local subscription. Subscriber lists are copy-on-write arrays, so delivery iterates without a lock
/// and allocates nothing.
/// </summary>
public sealed class SubscriberRegistry : IBrokerSink
{
    private readonly ConcurrentDictionary<string, Subscription[]> _channels = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Adds a subscription; true when it is the node's first on that channel.</summary>
    public bool Add(Subscription subscription)
    {
        lock (_gate)
        {
            var current = _channels.GetValueOrDefault(subscription.Channel) ?? [];
            _channels[subscription.Channel] = [.. current, subscription];
            return current.Length == 0;
        }
    }

    /// <summary>Removes a subscription; true when it was the node's last on that channel.</summary>
    public bool Remove(Subscription subscription)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(subscription.Channel, out var current))
            {
                return false;
            }
            var next = Array.FindAll(current, s => !ReferenceEquals(s, subscription));
            if (next.Length == 0)
            {
                _channels.TryRemove(subscription.Channel, out _);
                return current.Length > 0;
            }
            _channels[subscription.Channel] = next;
            return false;
        }
    }

    /// <summary>How many local subscriptions a channel has.</summary>
    public int CountOf(string channel) => _channels.GetValueOrDefault(channel)?.Length ?? 0;

    /// <summary>How many channels have a local subscriber.</summary>
    public int ChannelCount => _channels.Count;

    /// <summary>Each channel with a local subscriber and how many it has (a moment's view, for operators).</summary>
    public IEnumerable<(string Channel, int Subscribers)> Snapshot()
    {
        foreach (var (channel, subscribers) in _channels)
        {
            yield return (channel, subscribers.Length);
        }
    }

    /// <inheritdoc />
    public void OnPublication(Publication publication)
    {
        if (!_channels.TryGetValue(publication.Channel, out var subscribers))
        {
            return;
        }
        foreach (var subscription in subscribers)
        {
            subscription.Deliver(publication);
        }
    }

    /// <inheritdoc />
    public void OnStreamReset(string channel, StreamTop position)
    {
        if (!_channels.TryGetValue(channel, out var subscribers))
        {
            return;
        }
        foreach (var subscription in subscribers)
        {
            subscription.Reset(position);
        }
    }

    /// <summary>
    /// Raised for each local subscription an eviction reached, before its frame is queued: a handler that takes the
    /// subscription off (<see cref="Remove"/>) then has it gone before the client can read the frame. Safe while this
    /// delivery iterates: the array it walks is a snapshot.
    /// </summary>
    public event Action<Subscription>? Evicted;

    /// <inheritdoc />
    public void OnEphemeral(string channel, EphemeralEvent ephemeral)
    {
        if (!_channels.TryGetValue(channel, out var subscribers))
        {
            return;
        }
        if (ephemeral.EvictUser is { } evicted)
        {
            foreach (var subscription in subscribers)
            {
                if (string.Equals(subscription.Connection.User.Id, evicted, StringComparison.Ordinal))
                {
                    Evicted?.Invoke(subscription);
                    subscription.Connection.TryEnqueue(ephemeral.Frame);
                }
            }
            return;
        }
        foreach (var subscription in subscribers)
        {
            var connection = subscription.Connection;
            if (ReferenceEquals(connection.Id, ephemeral.ExcludeConnection)
                || string.Equals(connection.Id, ephemeral.ExcludeConnection, StringComparison.Ordinal)
                || string.Equals(connection.User.Id, ephemeral.ExcludeUser, StringComparison.Ordinal))
            {
                continue;
            }
            subscription.DeliverEphemeral(ephemeral.Frame);
        }
    }
}
