using System.Text.Json;
using Hubbub.Core;
using Hubbub.Core.Connections;
using Hubbub.Core.Publishing;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Hubbub.Storage;

namespace Hubbub.Features.Kit.Users;

/// <summary>Who hears when a user goes online or offline: features that know a user's contacts (messaging: everyone sharing a conversation).</summary>
public interface IContactSource
{
    /// <summary>The users who should see <paramref name="user"/>'s status.</summary>
    Task<IReadOnlyCollection<string>> ContactsOfAsync(string user, CancellationToken cancellationToken);
}

/// <summary>
/// Online status and last seen. A user is online while at least one of their connections lives (several tabs
/// count once); the first connection publishes <c>status</c> online and the last one to close stores last seen
/// and publishes offline, to the <c>user:{id}</c> channel of every contact (<see cref="IContactSource"/>). The
/// announcement is published directly, not through the outbox: it is a live signal rather than the record of a change,
/// a lost one is corrected by the next transition, and <c>GET /api/users/{id}/status</c> always answers the truth.
/// Connections are counted in the presence seam under a channel of the user's own (<c>online:{id}</c>), so with
/// several nodes on Redis the first and last connection are the user's first and last in the whole cluster.
/// </summary>
public sealed partial class OnlineStatusTracker(FeatureDatabase database, IChannelPublisher publisher, UserDirectory users,
    IEnumerable<IContactSource> contactSources, IPresenceStore presence, TimeProvider time, ILogger<OnlineStatusTracker> logger)
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
    private const string StatusPrefix = "online:";

    private static string StatusChannel(string user) => StatusPrefix + user;

    /// <summary>
    /// Counts the connection at once (so the user is online when their welcome arrives) and, when this node has not
    /// yet stored the name the user's token carries, stores it before the welcome: a backend that posts an event about
    /// the user as soon as they are connected finds their name (a reconnect with a known name costs a lookup). The
    /// announcement goes on in the background, still under the user's gate, so the user's transitions stay in order.
    /// The welcome waits for the gate: for earlier transitions of the users of the same stripe (1 in 64), which also
    /// bounds how many of these run against the database at once.
    /// </summary>
    internal async Task OpenedAsync(HubbubUser user, string connectionId)
    {
        var gate = GateOf(user.Id);
        await gate.WaitAsync();
        bool first;
        try
        {
            first = await presence.AddAsync(StatusChannel(user.Id), new PresenceEntry(connectionId, user.Id, user.Name, time.GetUtcNow()));
            // Every connection refreshes the display name: written only when this node has not stored the token's name.
            // A directory that cannot be written (the database away) must not keep the user off the real-time core.
            try
            {
                await users.TouchAsync(user);
            }
#pragma warning disable CA1031 // Logged; the connection goes on without the stored name.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogOpenFailed(logger, ex, user.Id);
            }
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

    [LoggerMessage(6010, LogLevel.Warning, "Users: could not record or announce that {User} is online")]
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
            await database.Database.InTransactionAsync(tx => UserStore.SetLastSeenAsync(tx, user.Id, user.Name, now, CancellationToken.None));
            await AnnounceAsync(new UserStatus(user.Id, false, DateTimeOffset.FromUnixTimeMilliseconds(now).UtcDateTime));
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The user's last connection died with its node: its presence entry expired and this node's sweep took it (exactly
    /// one node does). Stores last seen as when that node last vouched for the connection and announces offline, as the
    /// close that never ran would have, unless the user is back online meanwhile. In the background, under the user's
    /// gate, so the presence heartbeat that reports it does not wait for the database.
    /// </summary>
    internal void Expired(string user, string name, DateTimeOffset lastSeen) =>
        _ = Task.Run(() => FinishExpiredAsync(user, name, lastSeen), CancellationToken.None);

    private async Task FinishExpiredAsync(string user, string name, DateTimeOffset lastSeen)
    {
        var gate = GateOf(user);
        await gate.WaitAsync();
        try
        {
            var ms = lastSeen.ToUnixTimeMilliseconds();
            await database.Database.InTransactionAsync(tx => UserStore.SetLastSeenAsync(tx, user, name, ms, CancellationToken.None));
            if (!await IsOnlineAsync(user))
            {
                await AnnounceAsync(new UserStatus(user, false, DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime));
            }
        }
#pragma warning disable CA1031 // Nobody awaits this: a failure is logged, and the gate is released whatever happens.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogExpiredFailed(logger, ex, user);
        }
        finally
        {
            gate.Release();
        }
    }

    [LoggerMessage(6011, LogLevel.Warning, "Users: could not record or announce that {User} went offline with their node")]
    private static partial void LogExpiredFailed(ILogger logger, Exception exception, string user);

    /// <summary>The user a status presence channel counts, or null for any other channel.</summary>
    internal static string? UserOfStatusChannel(string channel) =>
        channel.StartsWith(StatusPrefix, StringComparison.Ordinal) ? channel[StatusPrefix.Length..] : null;

    /// <summary>Whether the user is connected now, and when they were last.</summary>
    public async Task<UserStatus> GetAsync(string user, CancellationToken cancellationToken = default)
    {
        UserDirectory.CheckUserId(user);
        if (await IsOnlineAsync(user, cancellationToken))
        {
            return new UserStatus(user, true, null);
        }
        var row = await database.ReadAsync(tx => UserStore.FindAsync(tx, user, cancellationToken), cancellationToken);
        return new UserStatus(user, false, row?.LastSeenMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime : null);
    }

    private async Task AnnounceAsync(UserStatus status)
    {
        var contacts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in contactSources)
        {
            contacts.UnionWith(await source.ContactsOfAsync(status.User, CancellationToken.None));
        }
        if (contacts.Count > 0)
        {
            await publisher.PublishToUsersAsync(contacts, UserStatus.EventType, JsonSerializer.SerializeToUtf8Bytes(status, KitJsonContext.Default.UserStatus));
        }
    }
}

/// <summary>Feeds connection opens and closes to <see cref="OnlineStatusTracker"/>.</summary>
internal sealed class OnlineStatusObserver(OnlineStatusTracker tracker) : IConnectionObserver
{
    // The tracker's tasks themselves, not awaited here: an await would keep a state machine of this method per connect.
    public ValueTask OnOpenedAsync(ClientConnection connection, CancellationToken cancellationToken) =>
        new(tracker.OpenedAsync(connection.User, connection.Id));

    public ValueTask OnClosedAsync(ClientConnection connection, CancellationToken cancellationToken) =>
        new(tracker.ClosedAsync(connection.User, connection.Id));
}

/// <summary>Feeds the expiry of a dead node's connections to <see cref="OnlineStatusTracker"/>.</summary>
internal sealed class OnlineStatusExpiry(OnlineStatusTracker tracker) : IPresenceExpiryObserver
{
    public Task OnExpiredAsync(string channel, ClientInfo user, DateTimeOffset lastSeen, CancellationToken cancellationToken)
    {
        if (OnlineStatusTracker.UserOfStatusChannel(channel) is not null)
        {
            tracker.Expired(user.User, user.Name, lastSeen);
        }
        return Task.CompletedTask;
    }
}
