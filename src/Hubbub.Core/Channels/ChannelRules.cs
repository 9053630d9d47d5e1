using System.Collections.Concurrent;
using Hubbub.Protocol;

namespace Hubbub.Core.Channels;

/// <summary>
/// The registry of channel namespaces. The core declares <c>public</c> and <c>user</c>; features add
/// theirs at start-up. A channel in an undeclared namespace is refused. A subscribe to a channel that does not exist
/// (<see cref="ChannelNamespace.Exists"/>) is <c>not_found</c>, and so is an admin's publish there; otherwise admins pass
/// every permission.
/// </summary>
public sealed class ChannelRules
{
    private readonly ConcurrentDictionary<string, ChannelNamespace> _namespaces = new(StringComparer.Ordinal);

    /// <summary>Creates the registry with the core namespaces.</summary>
    public ChannelRules() : this([])
    {
    }

    /// <summary>
    /// Creates the registry with the core namespaces and those features registered as services
    /// (<see cref="HubbubCoreServices.AddChannelNamespace"/>).
    /// </summary>
    public ChannelRules(IEnumerable<ChannelNamespace> declared)
    {
        Add(new ChannelNamespace("public", ChannelNamespace.Anyone, ChannelNamespace.Anyone));
        Add(new ChannelNamespace("user", ChannelNamespace.Owner, ChannelNamespace.Nobody, presence: false, typingAndCursors: false));
        foreach (var ns in declared)
        {
            Add(ns);
        }
    }

    /// <summary>Declares a namespace; declaring one twice is a start-up bug.</summary>
    public void Add(ChannelNamespace ns)
    {
        if (!_namespaces.TryAdd(ns.Name, ns))
        {
            throw new InvalidOperationException($"Channel namespace '{ns.Name}' is declared twice.");
        }
    }

    /// <summary>The rules of a namespace, or null when none was declared.</summary>
    public ChannelNamespace? Find(string ns) => _namespaces.GetValueOrDefault(ns);

    /// <summary>The declared namespaces.</summary>
    public IEnumerable<ChannelNamespace> All => _namespaces.Values;

    /// <summary>May this user subscribe to the channel?</summary>
    public ValueTask<bool> CanSubscribeAsync(HubbubUser user, ChannelName channel, CancellationToken cancellationToken) =>
        Check(new ChannelAccess(user, channel), subscribing: true, cancellationToken);

    /// <summary>May this user subscribe to the channel, asking from a connection (and with what its client sent)?</summary>
    public ValueTask<bool> CanSubscribeAsync(ChannelAccess access, CancellationToken cancellationToken) =>
        Check(access, subscribing: true, cancellationToken);

    /// <summary>As <see cref="CanSubscribeAsync(HubbubUser, ChannelName, bool, CancellationToken)"/>, naming the connection.</summary>
    public ValueTask<bool> CanSubscribeAsync(ChannelAccess access, bool subscribed, CancellationToken cancellationToken) =>
        subscribed && Find(access.Channel.Namespace) is not null ? ValueTask.FromResult(true) : CanSubscribeAsync(access, cancellationToken);

    /// <summary>
    /// May this user use the channel as a subscriber (typing, cursors, presence)? A connection's live subscription
    /// (<paramref name="subscribed"/>) already passed this rule, and is ended when access is withdrawn: not asked again.
    /// </summary>
    public ValueTask<bool> CanSubscribeAsync(HubbubUser user, ChannelName channel, bool subscribed, CancellationToken cancellationToken) =>
        subscribed && Find(channel.Namespace) is not null ? ValueTask.FromResult(true) : CanSubscribeAsync(user, channel, cancellationToken);

    /// <summary>
    /// May this user send <c>typing</c> or <c>cursor</c> on the channel? Only where the namespace lets clients signal
    /// (<see cref="ChannelNamespace.TypingAndCursors"/>) and the user may subscribe; a live subscription proves the latter.
    /// </summary>
    public ValueTask<bool> CanSignalAsync(ChannelAccess access, bool subscribed, CancellationToken cancellationToken) =>
        Find(access.Channel.Namespace) is { TypingAndCursors: false } ? ValueTask.FromResult(false) : CanSubscribeAsync(access, subscribed, cancellationToken);

    /// <summary>May this user publish on the channel from a client?</summary>
    public ValueTask<bool> CanPublishAsync(HubbubUser user, ChannelName channel, CancellationToken cancellationToken) =>
        Check(new ChannelAccess(user, channel), subscribing: false, cancellationToken);

    /// <summary>As <see cref="CanPublishAsync(HubbubUser, ChannelName, bool, CancellationToken)"/>, naming the connection.</summary>
    public ValueTask<bool> CanPublishAsync(ChannelAccess access, bool subscribed, CancellationToken cancellationToken) =>
        subscribed && Find(access.Channel.Namespace) is { SubscribersPublish: true }
            ? ValueTask.FromResult(true)
            : Check(access, subscribing: false, cancellationToken);

    /// <summary>
    /// May this user publish on the channel from a connection that is (<paramref name="subscribed"/>) or is not
    /// subscribed to it? Where the namespace's subscribers may publish, a live subscription is the proof.
    /// </summary>
    public ValueTask<bool> CanPublishAsync(HubbubUser user, ChannelName channel, bool subscribed, CancellationToken cancellationToken) =>
        subscribed && Find(channel.Namespace) is { SubscribersPublish: true }
            ? ValueTask.FromResult(true)
            : CanPublishAsync(user, channel, cancellationToken);

    private ValueTask<bool> Check(ChannelAccess access, bool subscribing, CancellationToken cancellationToken)
    {
        if (Find(access.Channel.Namespace) is not { } ns)
        {
            return ValueTask.FromResult(false);
        }
        // An admin may do what the server's API key does, so no permission refuses one; but a channel that does not
        // exist is not_found to an admin too (FEATURES.md "unknown ids are not_found").
        // An admin's publish asks too (else it would start a stream on a channel that is none); anyone else's publish
        // on a feature's channel is refused by its permission, so existence is asked of subscribes only.
        var permission = access.User.IsAdmin ? null : subscribing ? ns.CanSubscribe : ns.CanPublish;
        if ((subscribing || access.User.IsAdmin) && ns.Exists is { } exists && (access.User.IsAdmin || !ns.ExistenceIsPrivate))
        {
            return ExistingAsync(exists, permission, access, cancellationToken);
        }
        return permission is null ? ValueTask.FromResult(true) : permission(access, cancellationToken);
    }

    /// <summary>The channel's existence, then (unless an admin asks: <paramref name="permission"/> null) the permission.</summary>
    private static async ValueTask<bool> ExistingAsync(ChannelExists exists, ChannelPermission? permission, ChannelAccess access,
        CancellationToken cancellationToken)
    {
        if (!await exists(access.Channel, cancellationToken))
        {
            throw HubbubException.NotFound($"no channel '{access.Channel}'");
        }
        return permission is null || await permission(access, cancellationToken);
    }
}
