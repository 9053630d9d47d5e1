namespace Hubbub.Core.Connections;

/// <summary>
/// A connection's subscriptions by channel. Most connections hold one or two, and every open connection holds
/// this set for its lifetime, so it keeps a single subscription in a field and makes a dictionary only for a
/// second one: about 100 bytes per idle connection instead of the ~550 of a concurrent dictionary (measured).
/// Changes are rare (subscribe, unsubscribe, close) and never on the delivery path, so one lock is enough.
/// </summary>
public sealed class SubscriptionSet
{
    // A connection's set uses the connection's send-queue lock (its subscriptions already do): nothing is called
    // while it is held here, so it stays a lock no other is taken under, and every idle connection keeps one lock
    // object fewer (40 bytes).
    private readonly Lock _gate;
    private Subscription? _single;
    private Dictionary<string, Subscription>? _many;

    /// <summary>A set with a lock of its own.</summary>
    public SubscriptionSet()
        : this(new Lock())
    {
    }

    /// <summary>A set guarded by <paramref name="gate"/>, a lock its owner shares with it.</summary>
    internal SubscriptionSet(Lock gate) => _gate = gate;

    /// <summary>How many subscriptions the connection holds.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _many?.Count ?? (_single is null ? 0 : 1);
            }
        }
    }

    /// <summary>Whether the connection holds a subscription to <paramref name="channel"/>.</summary>
    public bool Contains(string channel)
    {
        lock (_gate)
        {
            return Find(channel) is not null;
        }
    }

    /// <summary>Adds <paramref name="subscription"/> unless its channel is already held.</summary>
    public bool TryAdd(Subscription subscription)
    {
        lock (_gate)
        {
            if (Find(subscription.Channel) is not null)
            {
                return false;
            }
            if (_many is not null)
            {
                _many.Add(subscription.Channel, subscription);
            }
            else if (_single is null)
            {
                _single = subscription;
            }
            else
            {
                _many = new Dictionary<string, Subscription>(StringComparer.Ordinal)
                {
                    [_single.Channel] = _single,
                    [subscription.Channel] = subscription,
                };
                _single = null;
            }
            return true;
        }
    }

    /// <summary>Removes and returns the subscription to <paramref name="channel"/>, if held.</summary>
    public bool TryRemove(string channel, out Subscription subscription)
    {
        lock (_gate)
        {
            var found = Find(channel);
            if (found is null)
            {
                subscription = null!;
                return false;
            }
            RemoveFound(found);
            subscription = found;
            return true;
        }
    }

    /// <summary>Removes exactly <paramref name="subscription"/> (not a newer one to the same channel), if held.</summary>
    public bool TryRemove(Subscription subscription)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(Find(subscription.Channel), subscription))
            {
                return false;
            }
            RemoveFound(subscription);
            return true;
        }
    }

    /// <summary>Removes every subscription and returns them.</summary>
    public Subscription[] RemoveAll()
    {
        lock (_gate)
        {
            Subscription[] all = _many is not null ? [.. _many.Values] : _single is not null ? [_single] : [];
            _single = null;
            _many = null;
            return all;
        }
    }

    private Subscription? Find(string channel) =>
        _many is not null
            ? _many.GetValueOrDefault(channel)
            : _single is not null && string.Equals(_single.Channel, channel, StringComparison.Ordinal) ? _single : null;

    private void RemoveFound(Subscription subscription)
    {
        if (_many is not null)
        {
            _many.Remove(subscription.Channel);
        }
        else
        {
            _single = null;
        }
    }
}
