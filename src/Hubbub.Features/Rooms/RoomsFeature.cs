using Hubbub.Features.Kit.Declaring;
using Hubbub.Storage;
using static Hubbub.Features.Rooms.RoomsJsonContext;

namespace Hubbub.Features.Rooms;

/// <summary>
/// Rooms: options (section <c>Rooms</c>), schema, the <c>room</c> namespace (with the room as its join state), the
/// <c>room.*</c> commands, also answered as <c>rooms.*</c> (the same records and service calls as the REST API under <c>/api/rooms</c>).
/// </summary>
public sealed class RoomsFeature : HubbubFeature
{
    /// <inheritdoc />
    public override string Name => "rooms";

    /// <inheritdoc />
    public override void Declare(FeatureBuilder feature) => feature
        .Options<RoomsOptions>(RoomsOptions.Section)
        .Migrations(RoomsSchema.Declare)
        .Namespace(sp => RoomChannelRules.Create(sp.GetRequiredService<IDatabase>()))
        .Command<RoomsService, CreateRoomRequest, RoomView>("room.create", Default.CreateRoomRequest, Default.RoomView, (s, me, r, ct) => s.CreateAsync(me, r, ct))
        .Command<RoomsService, RoomRequest, RoomList>("room.list", Default.RoomRequest, Default.RoomList, (s, me, r, ct) => s.ListAsync(me, r.Before, r.Limit, ct))
        .Command<RoomsService, RoomRequest, RoomView>("room.get", Default.RoomRequest, Default.RoomView, (s, me, r, ct) => s.GetAsync(me, r, ct))
        .Command<RoomsService, AddMembersRequest, RoomView>("room.add_members", Default.AddMembersRequest, Default.RoomView,
            (s, me, r, ct) => s.AddMembersAsync(me, r, ct))
        .Command<RoomsService, RemoveMemberRequest>("room.remove_member", Default.RemoveMemberRequest, (s, me, r, ct) => s.RemoveMemberAsync(me, r, ct))
        .Api<RoomsOptions>("/api/rooms", o => o.MaxBodyBytes, RoomsEndpoints.Map)
        .ConsolePage("rooms", "Rooms", "rooms.js")
        .Services.AddSingleton<RoomsService>();
}
