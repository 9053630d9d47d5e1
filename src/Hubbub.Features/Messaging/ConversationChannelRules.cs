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
        presence: true);
}

/// <summary>A user's contacts for online status: everyone who shares a conversation with them.</summary>
internal sealed class ConversationContacts(IDatabase database) : IContactSource
{
    public async Task<IReadOnlyCollection<string>> ContactsOfAsync(string user, CancellationToken cancellationToken) =>
        await database.ReadAsync(tx => MessagingStore.ContactsOfAsync(tx, user, cancellationToken), cancellationToken);
}
