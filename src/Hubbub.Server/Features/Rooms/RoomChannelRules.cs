using Hubbub.Core.Channels;

namespace Hubbub.Server.Features.Rooms;

/// <summary>
/// The <c>room:{id}</c> namespace: members subscribe (and so read history, see presence, send typing and
/// cursors) and publish; everyone else is refused with <c>forbidden</c>.
/// </summary>
internal static class RoomChannelRules
{
    public static ChannelNamespace Create(IServiceProvider services)
    {
        // Resolved when first asked, not here: the service needs the engine, which is built with these rules. One
        // delegate for both permissions: a member's live subscription then proves the right to publish, type and share
        // a cursor without asking the database again (removal ends the subscription on every node).
        ChannelPermission isMember = async (access, ct) =>
            await services.GetRequiredService<RoomsService>().IsMemberAsync(access.User.Id, access.Channel.Name, ct);
        return new ChannelNamespace(RoomsService.Namespace, canSubscribe: isMember, canPublish: isMember, presence: true);
    }
}
