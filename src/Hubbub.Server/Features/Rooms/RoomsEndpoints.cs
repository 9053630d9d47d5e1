using Hubbub.Core;
using Hubbub.Server.Api;
using Hubbub.Server.Auth;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Features.Rooms;

/// <summary>The rooms REST API under <c>/api/rooms</c>: JWT bearer auth, JSON in and out, errors as <c>{"code","message"}</c>.</summary>
internal static class RoomsEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var rooms = app.MapGroup("/api/rooms")
            .RequireAuthorization()
            .WithTags("Rooms")
            .AddEndpointFilter(FeatureEndpoints.RefusalsAsErrors)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        rooms.MapPost("/", CreateAsync).WithName("CreateRoom")
            .WithSummary("Create a room; the caller owns it and is its first member")
            .Accepts<CreateRoomRequest>("application/json")
            .Produces<RoomView>(StatusCodes.Status201Created).Errors(400, 409, 413);
        rooms.MapGet("/", ListAsync).WithName("ListRooms")
            .WithSummary("The rooms I am a member of, newest first").Produces<RoomList>();
        rooms.MapGet("/{id}", GetAsync).WithName("GetRoom")
            .WithSummary("One room (members and admins)").Produces<RoomView>().Errors(400, 403, 404);
        rooms.MapPost("/{id}/members", AddMembersAsync).WithName("AddRoomMembers")
            .WithSummary("Add members (the owner or an admin)").Accepts<AddMembersRequest>("application/json")
            .Produces<RoomView>().Errors(400, 403, 404, 413);
        rooms.MapDelete("/{id}/members/{user}", RemoveMemberAsync).WithName("RemoveRoomMember")
            .WithSummary("Leave (user 'me') or remove a member (the owner or an admin)")
            .Produces(StatusCodes.Status204NoContent).Errors(400, 403, 404, 409);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, RoomsService service, IOptions<RoomsOptions> options, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(http.Request, RoomsJsonContext.Default.CreateRoomRequest, options.Value.MaxBodyBytes, ct);
        return Json(await service.CreateAsync(http.User.ToHubbubUser(), body, ct), StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpContext http, RoomsService service, CancellationToken ct) =>
        TypedResults.Json(await service.ListAsync(http.User.ToHubbubUser(), ct), RoomsJsonContext.Default.RoomList);

    private static async Task<IResult> GetAsync(string id, HttpContext http, RoomsService service, CancellationToken ct) =>
        Json(await service.GetAsync(http.User.ToHubbubUser(), id, ct));

    private static async Task<IResult> AddMembersAsync(string id, HttpContext http, RoomsService service, IOptions<RoomsOptions> options,
        CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(http.Request, RoomsJsonContext.Default.AddMembersRequest, options.Value.MaxBodyBytes, ct);
        return Json(await service.AddMembersAsync(http.User.ToHubbubUser(), id, body, ct));
    }

    private static async Task<IResult> RemoveMemberAsync(string id, string user, HttpContext http, RoomsService service, CancellationToken ct)
    {
        await service.RemoveMemberAsync(http.User.ToHubbubUser(), id, user, ct);
        return TypedResults.NoContent();
    }

    private static IResult Json(RoomView value, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, RoomsJsonContext.Default.RoomView, statusCode: status);
}
