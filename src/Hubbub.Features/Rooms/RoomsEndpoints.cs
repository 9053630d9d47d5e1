using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Http;
using static Hubbub.Features.Rooms.RoomsJsonContext;

namespace Hubbub.Features.Rooms;

/// <summary>The rooms REST API under <c>/api/rooms</c>; the path's ids go into the same records the commands read.</summary>
internal static class RoomsEndpoints
{
    public static void Map(RouteGroupBuilder rooms)
    {
        rooms.MapPost("/", CreateAsync).WithName("CreateRoom")
            .WithSummary("Create a room; the caller owns it and is its first member")
            .Accepts<CreateRoomRequest>("application/json")
            .Produces<RoomView>(StatusCodes.Status201Created).Errors(400, 401, 409, 413);
        rooms.MapGet("/", ListAsync).WithName("ListRooms")
            .WithSummary("The rooms I am a member of, newest first; ?before=next_cursor, ?limit=1..100 (default 50)")
            .Produces<RoomList>().Errors(400, 401);
        rooms.MapGet("/{id}", GetAsync).WithName("GetRoom")
            .WithSummary("One room (members and admins)").Produces<RoomView>().Errors(400, 401, 403, 404);
        rooms.MapPost("/{id}/members", AddMembersAsync).WithName("AddRoomMembers")
            .WithSummary("Add members (the owner or an admin)").Accepts<AddMembersRequest>("application/json")
            .Produces<RoomView>().Errors(400, 401, 403, 404, 413);
        rooms.MapDelete("/{id}/members/{user}", RemoveMemberAsync).WithName("RemoveRoomMember")
            .WithSummary("Leave (user 'me') or remove a member (the owner or an admin); a server acts as ?user=, else as the member")
            .Produces(StatusCodes.Status204NoContent).Errors(400, 401, 403, 404, 409);
    }

    private static async Task<IResult> CreateAsync(FeatureCall call, RoomsService service)
    {
        var (body, me) = await call.BodyAndCallerAsync(Default.CreateRoomRequest);
        return FeatureCall.Json(await service.CreateAsync(me, body, call.Aborted), Default.RoomView, StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(FeatureCall call, RoomsService service) =>
        FeatureCall.Json(await service.ListAsync(await call.CallerAsync(), call.PageCursor(), call.IntQuery("limit"), call.Aborted),
            Default.RoomList);

    private static async Task<IResult> GetAsync(string id, FeatureCall call, RoomsService service) =>
        FeatureCall.Json(await service.GetAsync(await call.CallerAsync(), new RoomRequest(id), call.Aborted), Default.RoomView);

    private static async Task<IResult> AddMembersAsync(string id, FeatureCall call, RoomsService service)
    {
        var (body, me) = await call.BodyAndCallerAsync(Default.AddMembersRequest);
        return FeatureCall.Json(await service.AddMembersAsync(me, body with { Room = id }, call.Aborted), Default.RoomView);
    }

    private static async Task<IResult> RemoveMemberAsync(string id, string user, FeatureCall call, RoomsService service)
    {
        // The path names the member; a server naming nobody acts as that member (who leaves).
        var me = await call.CallerAsync(serverDefault: user == RoomsService.Me ? null : user);
        await service.RemoveMemberAsync(me, new RemoveMemberRequest(id, user), call.Aborted);
        return TypedResults.NoContent();
    }
}
