using System.Text.Json.Serialization;
using Hubbub.Features.Kit.Callers;

namespace Hubbub.Features.Rooms;

/// <summary>A room as its members see it.</summary>
/// <param name="Id">The room id.</param>
/// <param name="Channel">Its channel, <c>room:{id}</c>.</param>
/// <param name="Title">A display title, or null.</param>
/// <param name="Owner">The user who created it; only the owner (or an admin) adds and removes others.</param>
/// <param name="Members">Every member's user id, the owner included, in the order they joined.</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
public sealed record RoomView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("owner")] string Owner,
    [property: JsonPropertyName("members")] IReadOnlyList<string> Members,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt);

/// <summary>One page of the rooms the caller is a member of, newest first.</summary>
/// <param name="Rooms">The page.</param>
/// <param name="NextCursor">The <c>before</c> of the next, older page; null on the last one.</param>
public sealed record RoomList(
    [property: JsonPropertyName("rooms")] IReadOnlyList<RoomView> Rooms,
    [property: JsonPropertyName("next_cursor")] string? NextCursor = null);

/// <summary><c>POST /api/rooms</c> and <c>room.create</c>: every field optional; the caller becomes owner and first member.</summary>
public sealed record CreateRoomRequest(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("members")] IReadOnlyList<string>? Members,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary><c>POST /api/rooms/{id}/members</c> and <c>room.add_members</c>: users to add.</summary>
public sealed record AddMembersRequest(
    [property: JsonPropertyName("members")] IReadOnlyList<string>? Members,
    [property: JsonPropertyName("room")] string? Room = null,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary>
/// <c>room.get</c>, <c>room.list</c> (no room; <c>before</c> and <c>limit</c> page it, as on <c>GET /api/rooms</c>), and
/// <c>GET /api/rooms/{id}</c>.
/// </summary>
public sealed record RoomRequest(
    [property: JsonPropertyName("room")] string? Room,
    [property: JsonPropertyName("user")] string? User = null,
    [property: JsonPropertyName("before")] string? Before = null,
    [property: JsonPropertyName("limit")] int? Limit = null) : IActingRequest;

/// <summary>
/// <c>room.remove_member</c> and <c>DELETE /api/rooms/{id}/members/{user}</c>: <c>user</c> is the member removed
/// (<c>me</c> to leave), as the rooms contract has it; a server names who removes with <c>?user=</c> over REST.
/// </summary>
public sealed record RemoveMemberRequest(
    [property: JsonPropertyName("room")] string? Room,
    [property: JsonPropertyName("user")] string? User);

/// <summary>The data of the <c>room_added</c> notification: who added the user to which room.</summary>
public sealed record RoomAddedNotice(
    [property: JsonPropertyName("room")] string Room,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("by")] string By);

/// <summary>The data of the <c>member_added</c> and <c>member_removed</c> events on <c>room:{id}</c>.</summary>
public sealed record RoomMemberEvent(
    [property: JsonPropertyName("room")] string Room,
    [property: JsonPropertyName("user")] string User);

/// <summary>Source-generated JSON for the rooms API.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(RoomView))]
[JsonSerializable(typeof(RoomList))]
[JsonSerializable(typeof(CreateRoomRequest))]
[JsonSerializable(typeof(AddMembersRequest))]
[JsonSerializable(typeof(RoomMemberEvent))]
[JsonSerializable(typeof(RoomRequest))]
[JsonSerializable(typeof(RemoveMemberRequest))]
[JsonSerializable(typeof(RoomAddedNotice))]
public sealed partial class RoomsJsonContext : JsonSerializerContext;
