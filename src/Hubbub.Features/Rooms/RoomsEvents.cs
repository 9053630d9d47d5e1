namespace Hubbub.Features.Rooms;

/// <summary>The rooms feature's event names; events are written with the change (the kit's outbox).</summary>
public static class RoomsEvents
{
    /// <summary>On <c>room:{id}</c>: a user was added (data: <c>{room, user}</c>).</summary>
    public const string MemberAdded = "member_added";
    /// <summary>On <c>room:{id}</c>: a member left or was removed (data: <c>{room, user}</c>).</summary>
    public const string MemberRemoved = "member_removed";
    /// <summary>On <c>user:{id}</c>: the user was added to a room (data: Room); also kept as a notification.</summary>
    public const string RoomAdded = "room_added";
    /// <summary>On <c>user:{id}</c>: the user left or was removed from a room (data: <c>{room, user}</c>).</summary>
    public const string RoomRemoved = "room_removed";
}
