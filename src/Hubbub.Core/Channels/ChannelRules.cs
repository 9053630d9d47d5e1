using System.Collections.Concurrent;
using Hubbub.Protocol;

namespace Hubbub.Core.Channels;

/// <summary>
/// The registry of channel namespaces. The core declares <c>public</c> and <c>user</c>; features add
/// theirs at start-up. A channel in an undeclared namespace is refused. Admins pass every permission, but not the
/// <c>not_found</c> of a rule that finds out unknown ids (<see cref="ChannelNamespace.FindsUnknownIds"/>).
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
        Add(new ChannelNamespace("user", ChannelNamespace.Owner, ChannelNamespace.Nobody, presence: false));
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
        Check(new ChannelAccess(user, channel), static ns => ns.CanSubscribe, cancellationToken);

    /// <summary>May this user subscribe to the channel, asking from a connection (and with what its client sent)?</summary>
    public ValueTask<bool> CanSubscribeAsync(ChannelAccess access, CancellationToken cancellationToken) =>
        Check(access, static ns => ns.CanSubscribe, cancellationToken);

    /// <summary>As <see cref="CanSubscribeAsync(HubbubUser, ChannelName, bool, CancellationToken)"/>, naming the connection.</summary>
    public ValueTask<bool> CanSubscribeAsync(ChannelAccess access, bool subscribed, CancellationToken cancellationToken) =>
        subscribed && Find(access.Channel.Namespace) is not null ? ValueTask.FromResult(true) : CanSubscribeAsync(access, cancellationToken);

    /// <summary>
    /// May this user use the channel as a subscriber (typing, cursors, presence)? A connection's live subscription
    /// (<paramref name="subscribed"/>) already passed this rule, and is ended when access is withdrawn: not asked again.
    /// </summary>
    public ValueTask<bool> CanSubscribeAsync(HubbubUser user, ChannelName channel, bool subscribed, CancellationToken cancellationToken) =>
        subscribed && Find(channel.Namespace) is not null ? ValueTask.FromResult(true) : CanSubscribeAsync(user, channel, cancellationToken);

    /// <summary>May this user publish on the channel from a client?</summary>
    public ValueTask<bool> CanPublishAsync(HubbubUser user, ChannelName channel, CancellationToken cancellationToken) =>
        Check(new ChannelAccess(user, channel), static ns => ns.CanPublish, cancellationToken);

    /// <summary>As <see cref="CanPublishAsync(HubbubUser, ChannelName, bool, CancellationToken)"/>, naming the connection.</summary>
    public ValueTask<bool> CanPublishAsync(ChannelAccess access, bool subscribed, CancellationToken cancellationToken) =>
        subscribed && Find(access.Channel.Namespace) is { SubscribersPublish: true }
            ? ValueTask.FromResult(true)
            : Check(access, static ns => ns.CanPublish, cancellationToken);

    /// <summary>
    /// May this user publish on the channel from a connection that is (<paramref name="subscribed"/>) or is not
    /// subscribed to it? Where the namespace's subscribers may publish, a live subscription is the proof.
    /// </summary>
    public ValueTask<bool> CanPublishAsync(HubbubUser user, ChannelName channel, bool subscribed, CancellationToken cancellationToken) =>
        subscribed && Find(channel.Namespace) is { SubscribersPublish: true }
            ? ValueTask.FromResult(true)
            : CanPublishAsync(user, channel, cancellationToken);

    private ValueTask<bool> Check(ChannelAccess access, Func<ChannelNamespace, ChannelPermission> pick, CancellationToken cancellationToken)
    {
        if (Find(access.Channel.Namespace) is not { } ns)
        {
            return ValueTask.FromResult(false);
        }
        if (access.User.IsAdmin)
        {
            return ns.FindsUnknownIds ? AdminCheckAsync(pick(ns), access, cancellationToken) : ValueTask.FromResult(true);
        }
        return pick(ns)(access, cancellationToken);
    }

    /// <summary>
    /// An admin may do what the server's API key does, so the rule's refusal (false, or a thrown <c>forbidden</c>) is
    /// overridden; but a rule that also finds out unknown ids (<see cref="ChannelNamespace.FindsUnknownIds"/>:
    /// <c>auction:nope</c>, an unknown board, challenge or venue) still runs, and its <c>not_found</c> holds for an
    /// admin too (FEATURES.md "unknown ids are not_found").
    /// </summary>
    private static async ValueTask<bool> AdminCheckAsync(ChannelPermission rule, ChannelAccess access, CancellationToken cancellationToken)
    {
        try
        {
            await rule(access, cancellationToken);
        }
        catch (HubbubException refused) when (refused.Code == ErrorCodes.Forbidden)
        {
        }
        return true;
    }
}
