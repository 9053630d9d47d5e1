using System.Text.Json;
using Hubbub.Core.Channels;
using Hubbub.Storage;

namespace Hubbub.Features.Rooms;

/// <summary>
/// The <c>room:{id}</c> namespace: members subscribe (and so read history, see presence, send typing and
/// cursors) and publish; everyone else is refused with <c>forbidden</c>, and an admin (who passes) is told <c>not_found</c> for
/// a room that does not exist. A subscriber's reply carries the room
/// (<c>state</c>: its title, owner and members), so a client needs no separate load.
/// </summary>
internal static class RoomChannelRules
{
    public static ChannelNamespace Create(IDatabase database)
    {
        // One delegate for both permissions: a member's live subscription then proves the right to publish, type and
        // share a cursor without asking the database again (removal ends the subscription on every node).
        ChannelPermission isMember = async (access, ct) => await RoomsService.IsMemberAsync(database, access.User.Id, access.Channel.Name, ct);
        return new ChannelNamespace(RoomsService.Namespace, canSubscribe: isMember, canPublish: isMember, presence: true,
            // An admin, who may see every room, is told an unknown one is not_found; to anyone else it is forbidden as a
            // room they are not in.
            exists: async (channel, ct) => await RoomsService.FindAsync(database, channel.Name, ct) is not null, existenceIsPrivate: true,
            joinState: async (access, ct) => await RoomsService.FindAsync(database, access.Channel.Name, ct) is { } room
                ? JsonSerializer.SerializeToUtf8Bytes(room, RoomsJsonContext.Default.RoomView)
                : null);
    }
}
