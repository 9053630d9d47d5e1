using Hubbub.Core;
using Hubbub.Core.Connections;
using Hubbub.Core.Seams;
using Hubbub.Storage;

namespace Hubbub.Server.Features.Messaging;

/// <summary>
/// Online status and last seen. A user is online while at least one of their connections lives (several tabs
/// count once); the first connection publishes <c>status</c> online and the last one to close stores last seen
/// and publishes offline, to the <c>user:{id}</c> channel of everyone who shares a conversation with them.
/// Connections are counted in the presence seam under a channel of the user's own (<c>online:{id}</c>), so with
/// several nodes on Redis the first and last connection are the user's first and last in the whole cluster.
/// </summary>
public sealed partial class OnlineStatusTracker(IDatabase database, MessagingEvents events, UserDirectory users, IPresenceStore presence,
    TimeProvider time, ILogger<OnlineStatusTracker> logger)
{
    // Transitions of one user are published in the order they happened: a quick close-and-reopen must end
    // "online". Different users do not wait for each other: one gate per stripe of users.
    private const int Stripes = 64;
    private readonly SemaphoreSlim[] _gates = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    // Never disposed: a SemaphoreSlim whose wait handle is never asked for holds nothing to free, and a background
    // announcement may still release its gate while the host shuts down.
    private SemaphoreSlim GateOf(string user) => _gates[(uint)StringComparer.Ordinal.GetHashCode(user) % Stripes];

    /// <summary>Whether the user has a live connection (on any node).</summary>
    public async Task<bool> IsOnlineAsync(string user, CancellationToken cancellationToken = default) =>
        (await presence.GetMembersAsync(StatusChannel(user), cancellationToken)).Count > 0;

    // Not a channel anyone subscribes to: a presence key only, so it needs no namespace rules.
    private static string StatusChannel(string user) => "online:" + user;

    /// <summary>
    /// Counts the connection at once (so the user is online when their welcome arrives); the database work and the
    /// announcement go on in the background, still under the user's gate, so the user's transitions stay in order.
    /// The welcome waits only for the gate: for earlier transitions of the users of the same stripe (1 in 64),
    /// which also bounds how many of these run against the database at once.
    /// </summary>
    internal async Task OpenedAsync(HubbubUser user, string connectionId)
    {
        var gate = GateOf(user.Id);
        await gate.WaitAsync();
        bool first;
        try
        {
            first = await presence.AddAsync(StatusChannel(user.Id), new PresenceEntry(connectionId, user.Id, user.Name, time.GetUtcNow()));
        }
        catch
        {
            gate.Release();
            throw;
        }
        _ = Task.Run(() => FinishOpenedAsync(user, first, gate), CancellationToken.None);
    }

    private async Task FinishOpenedAsync(HubbubUser user, bool first, SemaphoreSlim gate)
    {
        try
        {
            await users.TouchAsync(user); // every connection refreshes the display name
            if (first)
            {
                await AnnounceAsync(new UserStatus(user.Id, true, null));
            }
        }
#pragma warning disable CA1031 // Nobody awaits this: a failure is logged, and the gate is released whatever happens.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogOpenFailed(logger, ex, user.Id);
        }
        finally
        {
            gate.Release();
        }
    }

    [LoggerMessage(5101, LogLevel.Warning, "Messaging: could not record or announce that {User} is online")]
    private static partial void LogOpenFailed(ILogger logger, Exception exception, string user);

    internal async Task ClosedAsync(HubbubUser user, string connectionId)
    {
        var gate = GateOf(user.Id);
        await gate.WaitAsync();
        try
        {
            if (!await presence.RemoveAsync(StatusChannel(user.Id), connectionId, user.Id))
            {
                return;
            }
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            await database.InTransactionAsync(tx => MessagingStore.SetLastSeenAsync(tx, user.Id, user.Name, now, CancellationToken.None));
            await AnnounceAsync(new UserStatus(user.Id, false, MessagingTime.ToUtc(now)));
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task AnnounceAsync(UserStatus status)
    {
        var contacts = await database.ReadAsync(tx => MessagingStore.ContactsOfAsync(tx, status.User, CancellationToken.None));
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
        await Tracker.OpenedAsync(connection.User, connection.Id);

    public async ValueTask OnClosedAsync(ClientConnection connection, CancellationToken cancellationToken) =>
        await Tracker.ClosedAsync(connection.User, connection.Id);
}
