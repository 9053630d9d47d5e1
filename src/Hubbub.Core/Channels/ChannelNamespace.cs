namespace Hubbub.Core.Channels;

/// <summary>Who is asking to do what on which channel.</summary>
/// <param name="User">The signed-in user.</param>
/// <param name="Channel">The channel.</param>
public readonly record struct ChannelAccess(HubbubUser User, ChannelName Channel)
{
    /// <summary>The connection asking, or null when the check is not made for one (a REST call, a feature).</summary>
    public string? ConnectionId { get; init; }

    /// <summary>
    /// What the client sent along with its <c>subscribe</c> (its <c>data</c> field), for rules that ask the app's
    /// backend; <see cref="System.Text.Json.JsonValueKind.Undefined"/> when none. Valid only during the check.
    /// </summary>
    public System.Text.Json.JsonElement Data { get; init; }
}

/// <summary>A permission check; answers true to allow. May look things up (membership, ownership).</summary>
public delegate ValueTask<bool> ChannelPermission(ChannelAccess access, CancellationToken cancellationToken);

/// <summary>
/// A channel's current state for a new subscriber (UTF-8 JSON, sent as <c>state</c> in the subscribe reply), or null
/// for none. Asked after the subscription is registered and its permission confirmed, so no later change is missed;
/// an event delivered after the reply may already be reflected in the state.
/// </summary>
public delegate ValueTask<byte[]?> ChannelJoinState(ChannelAccess access, CancellationToken cancellationToken);

/// <summary>
/// Whether a channel exists (<c>auction:42</c> names an auction that is there); false makes a subscribe to it
/// <c>not_found</c>. See <see cref="ChannelNamespace.Exists"/>.
/// </summary>
public delegate ValueTask<bool> ChannelExists(ChannelName channel, CancellationToken cancellationToken);

/// <summary>
/// The rules of one channel namespace: who may subscribe, who may publish from a client, and whether
/// presence is tracked. Features declare their namespaces with these; history limits come from
/// configuration (<see cref="HubbubOptions.Namespaces"/>).
/// </summary>
public sealed class ChannelNamespace
{
    /// <summary>Always allow.</summary>
    public static readonly ChannelPermission Anyone = static (_, _) => ValueTask.FromResult(true);

    /// <summary>Never allow (only the server publishes).</summary>
    public static readonly ChannelPermission Nobody = static (_, _) => ValueTask.FromResult(false);

    /// <summary>Allow only the user whose id is the channel's name (<c>user:42</c> → user 42).</summary>
    public static readonly ChannelPermission Owner = static (access, _) =>
        ValueTask.FromResult(string.Equals(access.User.Id, access.Channel.Name, StringComparison.Ordinal));

    /// <summary>
    /// Creates the rules of namespace <paramref name="name"/>. Pass the same delegate for both permissions when
    /// whoever may subscribe may publish (room members, say): a connection's live subscription then proves both,
    /// and publishing, typing and cursors on it are not checked again (a subscription whose access is withdrawn is
    /// ended with <see cref="HubbubEngine.RemoveUserFromChannelAsync"/>).
    /// </summary>
    /// <param name="name">The namespace.</param>
    /// <param name="canSubscribe">Who may subscribe.</param>
    /// <param name="canPublish">Who may publish from a client.</param>
    /// <param name="presence">Whether subscribers are tracked in presence.</param>
    /// <param name="joinState">The channel's state for a new subscriber, or null.</param>
    /// <param name="exists">
    /// Whether a channel of this namespace exists, for namespaces whose names are ids of things (auctions, boards,
    /// rooms): a subscribe to one that does not is <c>not_found</c> (FEATURES.md "unknown ids are not_found"), for an
    /// admin too, who otherwise passes every permission. Null: every name is a channel (<c>user:</c>, <c>public:</c>,
    /// a deployment's namespaces that ask the app's backend).
    /// </param>
    /// <param name="typingAndCursors">
    /// Whether those who may subscribe may also send <c>typing</c> and <c>cursor</c> to the others. Off on channels
    /// only the server speaks on (a leaderboard, an auction, a dashboard): a relayed cursor is a client's payload sent
    /// to every subscriber, which is what "only the server publishes" rules out.
    /// </param>
    /// <param name="existenceIsPrivate">
    /// Whether only admins are told that a channel does not exist: anyone else gets <paramref name="canSubscribe"/>'s
    /// answer alone, so that a room or conversation one is not in looks the same whether it exists or not.
    /// </param>
    public ChannelNamespace(string name, ChannelPermission canSubscribe, ChannelPermission canPublish, bool presence = true,
        ChannelJoinState? joinState = null, ChannelExists? exists = null, bool existenceIsPrivate = false, bool typingAndCursors = true)
    {
        TypingAndCursors = typingAndCursors;
        Exists = exists;
        ExistenceIsPrivate = existenceIsPrivate;
        JoinState = joinState;
        Name = name;
        CanSubscribe = canSubscribe;
        CanPublish = canPublish;
        Presence = presence;
        SubscribersPublish = ReferenceEquals(canSubscribe, canPublish);
    }

    /// <summary>The namespace, the part of a channel name before the first <c>:</c>.</summary>
    public string Name { get; }

    /// <summary>Who may subscribe (and so read history and presence, and send typing and cursors where <see cref="TypingAndCursors"/>).</summary>
    public ChannelPermission CanSubscribe { get; }

    /// <summary>Who may publish from a client. The server API and features always may.</summary>
    public ChannelPermission CanPublish { get; }

    /// <summary>Whether those who may subscribe may send <c>typing</c> and <c>cursor</c> on the channel.</summary>
    public bool TypingAndCursors { get; }

    /// <summary>Whether subscribers are tracked in presence and announced with join/leave events.</summary>
    public bool Presence { get; }

    /// <summary>The channel's current state for a new subscriber, or null when the namespace has none.</summary>
    public ChannelJoinState? JoinState { get; }

    /// <summary>
    /// Whether a channel of this namespace exists, or null when every name is one. Asked before a subscribe's
    /// permission (for admins only when <see cref="ExistenceIsPrivate"/>); a client publish is not asked, it is refused
    /// or allowed by <see cref="CanPublish"/> alone.
    /// </summary>
    public ChannelExists? Exists { get; }

    /// <summary>Whether only admins are told that a channel of this namespace does not exist.</summary>
    public bool ExistenceIsPrivate { get; }

    /// <summary>Whether the two permissions are one rule, so that a live subscription also proves the right to publish.</summary>
    public bool SubscribersPublish { get; }
}
