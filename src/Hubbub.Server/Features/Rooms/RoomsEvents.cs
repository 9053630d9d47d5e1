using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hubbub.Core;

namespace Hubbub.Server.Features.Rooms;

/// <summary>
/// Publishes the rooms feature's events, always after the change was committed and whatever the caller's request
/// does next (no request cancellation token). A failed publish is logged, not thrown: the change is stored, and
/// clients catch up through the REST API.
/// </summary>
public sealed partial class RoomsEvents(HubbubEngine engine, ILogger<RoomsEvents> logger)
{
    /// <summary>On <c>room:{id}</c>: a user was added (data: <c>{room, user}</c>).</summary>
    public const string MemberAdded = "member_added";
    /// <summary>On <c>room:{id}</c>: a member left or was removed (data: <c>{room, user}</c>).</summary>
    public const string MemberRemoved = "member_removed";
    /// <summary>On <c>user:{id}</c>: the user was added to a room (data: Room).</summary>
    public const string RoomAdded = "room_added";
    /// <summary>On <c>user:{id}</c>: the user left or was removed from a room (data: <c>{room, user}</c>).</summary>
    public const string RoomRemoved = "room_removed";

    /// <summary>A new room: its members other than the owner hear of it on their own channels.</summary>
    internal async Task RoomAddedAsync(RoomView room, IEnumerable<string> others)
    {
        foreach (var user in others)
        {
            await PublishAsync(UserChannel(user), RoomAdded, room, RoomsJsonContext.Default.RoomView);
        }
    }

    /// <summary>Users added to an existing room: the room hears, and so does each of them.</summary>
    internal async Task MembersAddedAsync(RoomView room, IEnumerable<string> added)
    {
        foreach (var user in added)
        {
            await PublishAsync(RoomsService.ChannelOf(room.Id), MemberAdded, new RoomMemberEvent(room.Id, user), RoomsJsonContext.Default.RoomMemberEvent);
            await PublishAsync(UserChannel(user), RoomAdded, room, RoomsJsonContext.Default.RoomView);
        }
    }

    /// <summary>A member is gone: their subscriptions end on every node, then the room and they hear of it.</summary>
    internal async Task MemberRemovedAsync(string room, string user)
    {
        try
        {
            await engine.RemoveUserFromChannelAsync(user, RoomsService.ChannelOf(room), "removed from the room");
        }
#pragma warning disable CA1031 // Committed already: a failure here is logged (the node's broker may be away), never thrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogPublishFailed(logger, ex, "unsubscribed");
        }
        var data = new RoomMemberEvent(room, user);
        await PublishAsync(RoomsService.ChannelOf(room), MemberRemoved, data, RoomsJsonContext.Default.RoomMemberEvent);
        await PublishAsync(UserChannel(user), RoomRemoved, data, RoomsJsonContext.Default.RoomMemberEvent);
    }

    private static string UserChannel(string user) => "user:" + user;

    private async Task PublishAsync<T>(string channel, string type, T data, JsonTypeInfo<T> info)
    {
        try
        {
            await engine.PublishAsync(channel, type, JsonSerializer.SerializeToUtf8Bytes(data, info), null, CancellationToken.None);
        }
#pragma warning disable CA1031 // Committed already: a failure here is logged, never thrown.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogPublishFailed(logger, ex, type);
        }
    }

    [LoggerMessage(5200, LogLevel.Warning, "Rooms: could not publish {Event}")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string @event);
}
