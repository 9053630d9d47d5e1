using Hubbub.Core;
using Hubbub.Core.Connections;
using Hubbub.Server.Storage;

namespace Hubbub.Server.Features.Messaging;

/// <summary>
/// Online status and last seen. A user is online while at least one of their connections lives (several tabs
/// count once); the first connection publishes <c>status</c> online and the last one to close stores last seen
/// and publishes offline, to the <c>user:{id}</c> channel of everyone who shares a conversation with them.
/// Counts are this node's: with several nodes behind a load balancer, status reflects the node's connections.
/// </summary>
public sealed class OnlineStatusTracker(IDatabase database, MessagingEvents events, UserDirectory users, TimeProvider time) : IDisposable
{
    private readonly Dictionary<string, int> _connections = new(StringComparer.Ordinal);
    // Transitions are published in the order they happened: a quick close-and-reopen must end "online".
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Whether the user has a live connection.</summary>
    public bool IsOnline(string user)
    {
        lock (_connections)
        {
            return _connections.GetValueOrDefault(user) > 0;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    internal async Task OpenedAsync(HubbubUser user)
    {
        await _gate.WaitAsync();
        try
        {
            var count = Change(user.Id, +1);
            await users.TouchAsync(user); // every connection refreshes the display name
            if (count != 1)
            {
                return;
            }
            await AnnounceAsync(new UserStatus(user.Id, true, null));
        }
        finally
        {
            _gate.Release();
        }
    }

    internal async Task ClosedAsync(HubbubUser user)
    {
        await _gate.WaitAsync();
        try
        {
            if (Change(user.Id, -1) != 0)
            {
                return;
            }
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            await database.InTransactionAsync(tx => MessagingStore.SetLastSeenAsync(tx, user.Id, user.Name, now, CancellationToken.None));
            await AnnounceAsync(new UserStatus(user.Id, false, MessagingTime.ToUtc(now)));
        }
        finally
        {
            _gate.Release();
        }
    }

    private int Change(string user, int delta)
    {
        lock (_connections)
        {
            var count = Math.Max(0, _connections.GetValueOrDefault(user) + delta);
            if (count == 0)
            {
                _connections.Remove(user);
            }
            else
            {
                _connections[user] = count;
            }
            return count;
        }
    }

    private async Task AnnounceAsync(UserStatus status)
    {
        var contacts = await database.InTransactionAsync(tx => MessagingStore.ContactsOfAsync(tx, status.User, CancellationToken.None));
        foreach (var contact in contacts)
        {
            await events.ToUserAsync(contact, MessagingEvents.Status, status, MessagingJsonContext.Default.UserStatus);
        }
    }
}

/// <summary>
/// Feeds connection opens and closes to <see cref="OnlineStatusTracker"/>. Resolves it on first use because the
/// engine, which takes observers, is itself what the tracker publishes through.
/// </summary>
internal sealed class OnlineStatusObserver(IServiceProvider services) : IConnectionObserver
{
    private OnlineStatusTracker Tracker => services.GetRequiredService<OnlineStatusTracker>();

    public async ValueTask OnOpenedAsync(ClientConnection connection, CancellationToken cancellationToken) =>
        await Tracker.OpenedAsync(connection.User);

    public async ValueTask OnClosedAsync(ClientConnection connection, CancellationToken cancellationToken) =>
        await Tracker.ClosedAsync(connection.User);
}
