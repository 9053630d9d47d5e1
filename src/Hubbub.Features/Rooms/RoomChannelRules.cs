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
        ChannelPermission isMember = async (access, ct) =>
        {
            if (await RoomsService.IsMemberAsync(database, access.User.Id, access.Channel.Name, ct))
            {
                return true;
            }
            // An admin passes this rule anyway (ChannelRules overrides its false), but not into a room that does not
            // exist: that is not_found to an admin, who may see every room (to anyone else existence stays private).
            if (access.User.IsAdmin && await RoomsService.FindAsync(database, access.Channel.Name, ct) is null)
            {
                throw RoomsService.NotFound();
            }
            return false;
        };
        return new ChannelNamespace(RoomsService.Namespace, canSubscribe: isMember, canPublish: isMember, presence: true, findsUnknownIds: true,
            joinState: async (access, ct) => await RoomsService.FindAsync(database, access.Channel.Name, ct) is { } room
                ? JsonSerializer.SerializeToUtf8Bytes(room, RoomsJsonContext.Default.RoomView)
                : null);
    }
}
