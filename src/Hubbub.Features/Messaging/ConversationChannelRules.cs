using Hubbub.Core;
using Hubbub.Core.Channels;
using Hubbub.Features.Kit.Users;
using Hubbub.Storage;

namespace Hubbub.Features.Messaging;

/// <summary>
/// The <c>conversation:{id}</c> namespace: only participants may subscribe (and so read history, see presence
/// and send typing); nobody publishes from a client, because a message must be stored before it is delivered
/// and so goes through <c>chat.send</c> or the REST API. A read of the database, so it needs nothing of the engine.
/// </summary>
internal static class ConversationChannelRules
{
    public static ChannelNamespace Create(IDatabase database) => new(
        MessagingEvents.Namespace,
        canSubscribe: async (access, ct) => await MessagingService.IsParticipantAsync(database, access.User.Id, access.Channel.Name, ct),
        canPublish: ChannelNamespace.Nobody,
        // An admin is told an unknown conversation is not_found; to anyone else it is one they are not in.
        exists: async (channel, ct) => await MessagingService.ExistsAsync(database, channel.Name, ct), existenceIsPrivate: true,
        presence: true);
}

/// <summary>
/// A user's contacts for online status: everyone who shares a conversation with them. A user this node knows to share
/// none (<see cref="ContactlessUsers"/>) costs no read: on a connect storm of users without conversations the read was
/// about a tenth of a connect's server CPU (docs/performance.md, "Idle connections").
/// </summary>
internal sealed class ConversationContacts(IDatabase database, ContactlessUsers contactless) : IContactSource
{
    public async Task<IReadOnlyCollection<string>> ContactsOfAsync(string user, CancellationToken cancellationToken) =>
        await contactless.ContainsAsync(user)
            ? []
            : await database.ReadAsync(tx => MessagingStore.ContactsOfAsync(tx, user, cancellationToken), cancellationToken);
}
