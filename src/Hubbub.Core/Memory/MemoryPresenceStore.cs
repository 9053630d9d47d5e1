using Hubbub.Core.Seams;
using Hubbub.Protocol;

namespace Hubbub.Core.Memory;

/// <summary>In-process presence: channel → user → that user's connections.</summary>
public sealed class MemoryPresenceStore : IPresenceStore
{
    private readonly Dictionary<string, Dictionary<string, Member>> _channels = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public ValueTask<bool> AddAsync(string channel, PresenceEntry entry, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(channel, out var users))
            {
                users = new Dictionary<string, Member>(StringComparer.Ordinal);
                _channels[channel] = users;
            }
            if (!users.TryGetValue(entry.User, out var member))
            {
                users[entry.User] = new Member(entry.Name, entry.Since) { Connections = { entry.ConnectionId } };
                return ValueTask.FromResult(true);
            }
            member.Connections.Add(entry.ConnectionId);
            return ValueTask.FromResult(false);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(string channel, string connectionId, string user, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(channel, out var users) || !users.TryGetValue(user, out var member)
                || !member.Connections.Remove(connectionId))
            {
                return ValueTask.FromResult(false);
            }
            if (member.Connections.Count > 0)
            {
                return ValueTask.FromResult(false);
            }
            users.Remove(user);
            if (users.Count == 0)
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
            var members = users.Select(u => new PresenceMember(u.Key, u.Value.Name, u.Value.Since))
                .OrderBy(m => m.Since).ThenBy(m => m.User, StringComparer.Ordinal).ToList();
            return ValueTask.FromResult<IReadOnlyList<PresenceMember>>(members);
        }
    }

    private sealed class Member(string name, DateTimeOffset since)
    {
        public string Name { get; } = name;
        public DateTimeOffset Since { get; } = since;
        public HashSet<string> Connections { get; } = new(StringComparer.Ordinal);
    }
}
