namespace Hubbub.Core.Connections;

/// <summary>
/// One timer for the token expiry of every connection of a node, instead of one timer per connection (a system timer
/// and its wrapper were about 0.2 KB of every idle connection's memory, and a timer-queue insert and removal of every
/// connect and close). Connections are kept by the second their watch is due, rounded up (<c>exp</c> is whole seconds,
/// and so is the grace, so a watch is due on the second it would have been), and the timer is set for the earliest.
/// </summary>
/// <remarks>
/// Locks: a connection takes its credentials lock and then this watch's; the timer's callback takes only this watch's
/// lock to collect what is due and tells the connections after releasing it, so the two orders never meet.
/// </remarks>
internal sealed class ExpiryWatch : IDisposable
{
    /// <summary>
    /// The longest the timer is set for: system timers refuse due times past about 49 days, and a token may live for
    /// years. The timer wakes up after this and sets itself again.
    /// </summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(20);

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, HashSet<ClientConnection>> _bySecond = [];
    private readonly SortedSet<long> _seconds = []; // the keys of _bySecond, earliest first
    private readonly ITimer _timer;
    private long _armedFor = long.MaxValue;
    private bool _disposed; // the engine is gone: a connection still ending may add or remove, but the timer is not set

    public ExpiryWatch(TimeProvider time)
    {
        _time = time;
        // The domain clock, so tests can run expiry on a fake one.
        _timer = time.CreateTimer(static state => ((ExpiryWatch)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>How many connections are watched (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _bySecond.Values.Sum(set => set.Count);
            }
        }
    }

    /// <summary>Watches <paramref name="connection"/> until <paramref name="due"/>; returns the key <see cref="Remove"/> takes.</summary>
    public long Add(ClientConnection connection, DateTimeOffset due)
    {
        var milliseconds = due.ToUnixTimeMilliseconds();
        var second = milliseconds / 1000 + (milliseconds % 1000 > 0 ? 1 : 0);
        lock (_gate)
        {
            if (!_bySecond.TryGetValue(second, out var connections))
            {
                _bySecond[second] = connections = [];
                _seconds.Add(second);
            }
            connections.Add(connection);
            if (second < _armedFor)
            {
                ArmLocked(second);
            }
        }
        return second;
    }

    /// <summary>Stops watching <paramref name="connection"/> under <paramref name="second"/> (a key already taken by the timer is a no-op).</summary>
    public void Remove(ClientConnection connection, long second)
    {
        lock (_gate)
        {
            if (_bySecond.TryGetValue(second, out var connections) && connections.Remove(connection) && connections.Count == 0)
            {
                _bySecond.Remove(second);
                _seconds.Remove(second);
                // The timer may stay set for the removed second: it then finds nothing due and sets itself for the next.
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer.Dispose();
        }
    }

    private void ArmLocked(long second)
    {
        if (_disposed)
        {
            return;
        }
        _armedFor = second;
        var wait = DateTimeOffset.FromUnixTimeSeconds(second) - _time.GetUtcNow();
        _timer.Change(wait < TimeSpan.Zero ? TimeSpan.Zero : wait > LongestWait ? LongestWait : wait, Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        List<ClientConnection>? due = null;
        lock (_gate)
        {
            _armedFor = long.MaxValue;
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            while (_seconds.Count > 0 && _seconds.Min * 1000 <= now)
            {
                var second = _seconds.Min;
                _seconds.Remove(second);
                _bySecond.Remove(second, out var connections);
                (due ??= []).AddRange(connections!);
            }
            if (_seconds.Count > 0)
            {
                ArmLocked(_seconds.Min);
            }
        }
        foreach (var connection in due ?? [])
        {
            connection.OnExpiryDue();
        }
    }
}
