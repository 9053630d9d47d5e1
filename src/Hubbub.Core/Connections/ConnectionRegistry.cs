using System.Collections.Concurrent;

namespace Hubbub.Core.Connections;

/// <summary>This node's open connections, by id and by user (for the per-user connection limit).</summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, ClientConnection> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _perUser = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Open connections.</summary>
    public ICollection<ClientConnection> All => _byId.Values;

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

    /// <summary>Counts the connection out.</summary>
    public void Remove(ClientConnection connection)
    {
        if (!_byId.TryRemove(connection.Id, out _))
        {
            return;
        }
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

    /// <summary>How many connections the user has open on this node.</summary>
    public int CountOf(string userId)
    {
        lock (_gate)
        {
            return _perUser.GetValueOrDefault(userId);
        }
    }
}
