using System.Text.Json;
using Hubbub.Core.Channels;
using Hubbub.Storage;

namespace Hubbub.Features.Rooms;

/// <summary>
/// The <c>room:{id}</c> namespace: members subscribe (and so read history, see presence, send typing and
/// cursors) and publish; everyone else is refused with <c>forbidden</c>. A subscriber's reply carries the room
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
            joinState: async (access, ct) => await RoomsService.FindAsync(database, access.Channel.Name, ct) is { } room
                ? JsonSerializer.SerializeToUtf8Bytes(room, RoomsJsonContext.Default.RoomView)
                : null);
    }
}
