using System.Collections.Concurrent;

namespace Hubbub.Core.Connections;

/// <summary>
/// This node's open connections by id, and by user the connections whose sockets the node still holds (for the
/// per-user connection limit). A connection leaves the first when it closes (<see cref="Remove"/>: broadcasts,
/// shutdown and <c>hubbub_connections</c> stop counting it) and the second only once its TCP connection is gone
/// (<see cref="Release"/>), a bounded while later when the server closed a client that does not read.
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ClientConnection> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _perUser = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Open connections.</summary>
    public ICollection<ClientConnection> All => _byId.Values;

    /// <summary>
    /// Open connections, read as they are walked (no copy: <see cref="All"/> copies them into a list, which at 100,000
    /// connections is an array of 800 KB on the large object heap for every heartbeat sweep).
    /// </summary>
    public IEnumerable<ClientConnection> Open()
    {
        foreach (var pair in _byId)
        {
            yield return pair.Value;
        }
    }

    /// <summary>How many connections are open.</summary>
    public int Count => _byId.Count;

    /// <summary>Counts the connection in; false (and nothing counted) when the user is at <paramref name="maxPerUser"/>.</summary>
    public bool TryAdd(ClientConnection connection, int maxPerUser)
    {
        lock (_gate)
        {
            var count = _perUser.GetValueOrDefault(connection.User.Id);
            if (count >= maxPerUser)
            {
                return false;
            }
            _perUser[connection.User.Id] = count + 1;
        }
        _byId[connection.Id] = connection;
        return true;
    }

    /// <summary>Counts the connection out of the open ones; its user's cap still counts it until <see cref="Release"/>.</summary>
    public void Remove(ClientConnection connection) => _byId.TryRemove(connection.Id, out _);

    /// <summary>
    /// Counts the connection out of its user's cap, once its socket is gone. Call once per connection
    /// <see cref="TryAdd"/> accepted, after <see cref="Remove"/>.
    /// </summary>
    public void Release(ClientConnection connection)
    {
        lock (_gate)
        {
            var count = _perUser.GetValueOrDefault(connection.User.Id) - 1;
            if (count <= 0)
            {
                _perUser.Remove(connection.User.Id);
            }
            else
            {
                _perUser[connection.User.Id] = count;
            }
        }
    }

    /// <summary>How many connections of the user this node holds: open ones, and closed ones whose socket is not yet gone.</summary>
    public int CountOf(string userId)
    {
        lock (_gate)
        {
            return _perUser.GetValueOrDefault(userId);
        }
    }
}
