using Hubbub.Core.Seams;
using Hubbub.Protocol;

namespace Hubbub.Core.Memory;

/// <summary>In-process presence: channel → user → that user's connections.</summary>
/// <remarks>
/// Most channels with presence hold one user with one connection (the online-status key every connected user has,
/// a user's own channels), so that case is stored without collections: a channel maps to its one <see cref="Member"/>
/// until a second user joins, and a member holds its one connection id until a second one comes. A dictionary and a
/// set per channel cost about 300 bytes more per connected user (heap census at 10,000 idle connections).
/// </remarks>
public sealed class MemoryPresenceStore : IPresenceStore
{
    // channel → its Member while it has one user, or Dictionary<string, Member> (user → member) once it had two.
    private readonly Dictionary<string, object> _channels = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public ValueTask<bool> AddAsync(string channel, PresenceEntry entry, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(channel, out var users))
            {
                _channels[channel] = new Member(entry.User, entry.Name, entry.Since, entry.ConnectionId);
                return ValueTask.FromResult(true);
            }
            if (users is Member only)
            {
                if (string.Equals(only.User, entry.User, StringComparison.Ordinal))
                {
                    only.Add(entry.ConnectionId);
                    return ValueTask.FromResult(false);
                }
                var many = new Dictionary<string, Member>(StringComparer.Ordinal) { [only.User] = only };
                _channels[channel] = users = many;
            }
            var members = (Dictionary<string, Member>)users;
            if (!members.TryGetValue(entry.User, out var member))
            {
                members[entry.User] = new Member(entry.User, entry.Name, entry.Since, entry.ConnectionId);
                return ValueTask.FromResult(true);
            }
            member.Add(entry.ConnectionId);
            return ValueTask.FromResult(false);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(string channel, string connectionId, string user, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(channel, out var users))
            {
                return ValueTask.FromResult(false);
            }
            if (users is Member only)
            {
                if (!string.Equals(only.User, user, StringComparison.Ordinal) || !only.Remove(connectionId))
                {
                    return ValueTask.FromResult(false);
                }
                if (only.IsEmpty)
                {
                    _channels.Remove(channel);
                    return ValueTask.FromResult(true);
                }
                return ValueTask.FromResult(false);
            }
            var members = (Dictionary<string, Member>)users;
            if (!members.TryGetValue(user, out var member) || !member.Remove(connectionId))
            {
                return ValueTask.FromResult(false);
            }
            if (!member.IsEmpty)
            {
                return ValueTask.FromResult(false);
            }
            members.Remove(user);
            if (members.Count == 0)
            {
                _channels.Remove(channel);
            }
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PresenceMember>> GetMembersAsync(string channel, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(channel, out var users))
            {
                return ValueTask.FromResult<IReadOnlyList<PresenceMember>>([]);
            }
            if (users is Member only)
            {
                return ValueTask.FromResult<IReadOnlyList<PresenceMember>>([new PresenceMember(only.User, only.Name, only.Since)]);
            }
            var members = ((Dictionary<string, Member>)users).Values.Select(m => new PresenceMember(m.User, m.Name, m.Since))
                .OrderBy(m => m.Since).ThenBy(m => m.User, StringComparer.Ordinal).ToList();
            return ValueTask.FromResult<IReadOnlyList<PresenceMember>>(members);
        }
    }

    /// <summary>One user in one channel, with the connections that hold them there (used under the store's lock only).</summary>
    private sealed class Member(string user, string name, DateTimeOffset since, string connection)
    {
        // Marks a member whose one connection left (the caller then removes it).
        private static readonly object None = new();

        // The one connection id, a set of them once a second connection joined, or None.
        private object _connections = connection;

        public string User { get; } = user;

        public string Name { get; } = name;

        public DateTimeOffset Since { get; } = since;

        public bool IsEmpty => ReferenceEquals(_connections, None) || _connections is HashSet<string> { Count: 0 };

        public void Add(string connection)
        {
            if (_connections is HashSet<string> set)
            {
                set.Add(connection);
            }
            else if (ReferenceEquals(_connections, None))
            {
                _connections = connection;
            }
            else if (!string.Equals((string)_connections, connection, StringComparison.Ordinal))
            {
                _connections = new HashSet<string>(StringComparer.Ordinal) { (string)_connections, connection };
            }
        }

        /// <summary>Removes a connection; false when it was not one of this member's.</summary>
        public bool Remove(string connection)
        {
            if (_connections is HashSet<string> set)
            {
                return set.Remove(connection);
            }
            if (!string.Equals(_connections as string, connection, StringComparison.Ordinal))
            {
                return false;
            }
            _connections = None;
            return true;
        }
    }
}
