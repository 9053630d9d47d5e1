using Hubbub.Protocol;

namespace Hubbub.Core.Seams;

/// <summary>
/// Told when a user's last presence entry in a channel expired because the node holding it died (it stopped
/// refreshing it): the leave no connection close reported. Each such leave reaches the observers of exactly one
/// node. A presence store whose nodes cannot die apart (the in-memory one) never calls it.
/// </summary>
public interface IPresenceExpiryObserver
{
    /// <summary>
    /// <paramref name="user"/> left <paramref name="channel"/> with their node; <paramref name="lastSeen"/> is when that
    /// node last vouched for the connection (its last presence refresh, at most a third of the presence TTL before it died).
    /// Called from the presence heartbeat, which must not fall behind: return quickly and do slow work in the background.
    /// </summary>
    Task OnExpiredAsync(string channel, ClientInfo user, DateTimeOffset lastSeen, CancellationToken cancellationToken);
}
