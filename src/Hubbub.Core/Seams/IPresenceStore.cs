using Hubbub.Protocol;

namespace Hubbub.Core.Seams;

/// <summary>One connection's presence in a channel.</summary>
/// <param name="ConnectionId">The connection.</param>
/// <param name="User">The user's id.</param>
/// <param name="Name">The user's display name.</param>
/// <param name="Since">When the connection joined.</param>
public sealed record PresenceEntry(string ConnectionId, string User, string Name, DateTimeOffset Since);

/// <summary>
/// Who is in which channel. Presence is per user: a user is a member while any of their connections is.
/// Implementations that span nodes expire the entries of a node that stops refreshing them.
/// </summary>
public interface IPresenceStore
{
    /// <summary>Adds a connection; true when it is the user's first connection in the channel (a join).</summary>
    ValueTask<bool> AddAsync(string channel, PresenceEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Removes a connection; true when it was the user's last one in the channel (a leave).</summary>
    ValueTask<bool> RemoveAsync(string channel, string connectionId, string user, CancellationToken cancellationToken = default);

    /// <summary>The channel's members, one per user, with the time their earliest connection joined.</summary>
    ValueTask<IReadOnlyList<PresenceMember>> GetMembersAsync(string channel, CancellationToken cancellationToken = default);
}
