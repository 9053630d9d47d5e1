using Hubbub.Core.Channels;

namespace Hubbub.Server.Features.Messaging;

/// <summary>
/// The <c>conversation:{id}</c> namespace: only participants may subscribe (and so read history, see presence
/// and send typing); nobody publishes from a client, because a message must be stored before it is delivered
/// and so goes through <c>chat.send</c> or the REST API.
/// </summary>
internal static class ConversationChannelRules
{
    public const string Namespace = "conversation";

    public static ChannelNamespace Create(IServiceProvider services) => new(
        Namespace,
        canSubscribe: async (access, ct) =>
            await services.GetRequiredService<MessagingService>().IsParticipantAsync(access.User.Id, access.Channel.Name, ct),
        canPublish: ChannelNamespace.Nobody,
        presence: true);
}
