using Hubbub.Core;
using Hubbub.Core.Commands;
using static Hubbub.Server.Features.CommandData;

namespace Hubbub.Server.Features.Rooms;

/// <summary>
/// The <c>room.*</c> WebSocket commands: the same calls of <see cref="RoomsService"/> as the REST endpoints,
/// replying with the same JSON.
/// </summary>
internal static class RoomsCommands
{
    public static IServiceCollection AddRoomsCommands(this IServiceCollection services) => services
        .AddHubbubCommand("room.create", CreateAsync)
        .AddHubbubCommand("room.list", ListAsync)
        .AddHubbubCommand("room.get", GetAsync)
        .AddHubbubCommand("room.add_members", AddMembersAsync)
        .AddHubbubCommand("room.remove_member", RemoveMemberAsync);

    private static async ValueTask<byte[]?> CreateAsync(CommandContext context, CancellationToken ct) =>
        Reply(await Service(context).CreateAsync(context.User, Parse(context, RoomsJsonContext.Default.CreateRoomRequest), ct),
            RoomsJsonContext.Default.RoomView);

    private static async ValueTask<byte[]?> ListAsync(CommandContext context, CancellationToken ct) =>
        Reply(await Service(context).ListAsync(context.User, ct), RoomsJsonContext.Default.RoomList);

    private static async ValueTask<byte[]?> GetAsync(CommandContext context, CancellationToken ct) =>
        Reply(await Service(context).GetAsync(context.User, RoomOf(Parse(context, RoomsJsonContext.Default.RoomCommandRequest)), ct),
            RoomsJsonContext.Default.RoomView);

    private static async ValueTask<byte[]?> AddMembersAsync(CommandContext context, CancellationToken ct)
    {
        var r = Parse(context, RoomsJsonContext.Default.RoomCommandRequest);
        return Reply(await Service(context).AddMembersAsync(context.User, RoomOf(r), new AddMembersRequest(r.Members), ct),
            RoomsJsonContext.Default.RoomView);
    }

    private static async ValueTask<byte[]?> RemoveMemberAsync(CommandContext context, CancellationToken ct)
    {
        var r = Parse(context, RoomsJsonContext.Default.RoomCommandRequest);
        await Service(context).RemoveMemberAsync(context.User, RoomOf(r), r.User ?? throw HubbubException.BadRequest("'user' is required ('me' to leave)"), ct);
        return null;
    }

    private static string RoomOf(RoomCommandRequest request) => request.Room ?? throw HubbubException.BadRequest("'room' is required");

    private static RoomsService Service(CommandContext context) => context.Services.GetRequiredService<RoomsService>();
}
