using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Hubbub.Core;
using Hubbub.Core.Channels;
using Hubbub.Server.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Features.Rooms;

/// <summary>
/// Rooms: named groups (study groups, collaboration) whose members subscribe and publish on <c>room:{id}</c>.
/// The creator owns a room and, with admins, decides who is in it; a member may leave. Every change is committed
/// before its events are published: <c>member_added</c>/<c>member_removed</c> on the room's channel,
/// <c>room_added</c>/<c>room_removed</c> on the user's own <c>user:{id}</c>. A removed member's live subscriptions
/// to the room end (<c>unsubscribed</c>) on every node.
/// </summary>
public sealed class RoomsService(IDatabase database, HubbubEngine engine, IOptions<RoomsOptions> options, TimeProvider time)
{
    /// <summary>Longest room id (the name part of its channel).</summary>
    public const int MaxRoomIdLength = 64;

    /// <summary>Longest user id accepted as a member.</summary>
    public const int MaxUserIdLength = 128;

    /// <summary>The channel namespace of rooms.</summary>
    public const string Namespace = "room";

    private RoomsOptions Options => options.Value;

    private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The channel of a room.</summary>
    public static string ChannelOf(string room) => $"{Namespace}:{room}";

    /// <summary>May <paramref name="user"/> use room <paramref name="room"/>'s channel?</summary>
    public Task<bool> IsMemberAsync(string user, string room, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(tx => RoomsStore.IsMemberAsync(tx, room, user, cancellationToken), cancellationToken);

    /// <summary>Creates a room owned by <paramref name="me"/>, with the listed members; a taken id is <c>conflict</c>.</summary>
    public async Task<RoomView> CreateAsync(HubbubUser me, CreateRoomRequest request, CancellationToken cancellationToken = default)
    {
        var id = request.Id is null ? NewRoomId() : CheckRoomId(request.Id);
        var title = CheckTitle(request.Title);
        var members = new List<string> { me.Id };
        foreach (var user in request.Members ?? [])
        {
            CheckUserId(user);
            if (!members.Contains(user, StringComparer.Ordinal))
            {
                members.Add(user);
            }
        }
        if (members.Count > Options.MaxMembers)
        {
            throw HubbubException.TooLarge($"a room holds at most {Options.MaxMembers} members");
        }
        var now = NowMs;
        var room = await database.InTransactionAsync(async tx =>
        {
            if (await RoomsStore.FindAsync(tx, id, cancellationToken) is not null)
            {
                throw HubbubException.Conflict($"room '{id}' already exists");
            }
            await RoomsStore.InsertAsync(tx, id, title, me.Id, now, cancellationToken);
            await RoomsStore.AddMembersAsync(tx, id, members, now, cancellationToken);
            return new RoomRow { Id = id, Title = title, Owner = me.Id, CreatedMs = now };
        }, cancellationToken);
        var view = View(room, members);
        foreach (var user in members.Skip(1))
        {
            await TellUserAsync(user, "room_added", view, cancellationToken);
        }
        return view;
    }

    /// <summary>The rooms <paramref name="me"/> is a member of, newest first.</summary>
    public async Task<RoomList> ListAsync(HubbubUser me, CancellationToken cancellationToken = default)
    {
        var (rooms, members) = await database.InTransactionAsync(tx => RoomsStore.RoomsOfAsync(tx, me.Id, cancellationToken), cancellationToken);
        var byRoom = members.ToLookup(m => m.RoomId, m => m.UserId, StringComparer.Ordinal);
        return new RoomList(rooms.Select(r => View(r, byRoom[r.Id].ToList())).ToList());
    }

    /// <summary>One room, for its members and admins.</summary>
    public async Task<RoomView> GetAsync(HubbubUser me, string id, CancellationToken cancellationToken = default)
    {
        CheckRoomId(id);
        return await database.InTransactionAsync(async tx =>
        {
            var room = await RequireRoomAsync(tx, id, cancellationToken);
            if (!me.IsAdmin && !await RoomsStore.IsMemberAsync(tx, id, me.Id, cancellationToken))
            {
                throw HubbubException.Forbidden("you are not a member of this room");
            }
            return View(room, await RoomsStore.MembersAsync(tx, id, cancellationToken));
        }, cancellationToken);
    }

    /// <summary>Adds users to a room (its owner or an admin only); members already in are left as they are.</summary>
    public async Task<RoomView> AddMembersAsync(HubbubUser me, string id, AddMembersRequest request, CancellationToken cancellationToken = default)
    {
        CheckRoomId(id);
        if (request.Members is not { Count: > 0 } users)
        {
            throw HubbubException.BadRequest("'members' must list at least one user id");
        }
        foreach (var user in users)
        {
            CheckUserId(user);
        }
        var (view, added) = await database.InTransactionAsync(async tx =>
        {
            var room = await RequireRoomAsync(tx, id, cancellationToken);
            RequireOwner(me, room);
            var added = await RoomsStore.AddMembersAsync(tx, id, users.Distinct(StringComparer.Ordinal), NowMs, cancellationToken);
            if (await RoomsStore.CountMembersAsync(tx, id, cancellationToken) > Options.MaxMembers)
            {
                throw HubbubException.TooLarge($"a room holds at most {Options.MaxMembers} members"); // rolls back
            }
            return (View(room, await RoomsStore.MembersAsync(tx, id, cancellationToken)), added);
        }, cancellationToken);
        foreach (var user in added)
        {
            await PublishAsync(id, "member_added", user, cancellationToken);
            await TellUserAsync(user, "room_added", view, cancellationToken);
        }
        return view;
    }

    /// <summary>
    /// Removes <paramref name="user"/> (<c>me</c> for the caller) from a room: a member may remove themselves, the
    /// owner or an admin anyone but the owner. Their live subscriptions to the room end on every node.
    /// </summary>
    public async Task RemoveMemberAsync(HubbubUser me, string id, string user, CancellationToken cancellationToken = default)
    {
        CheckRoomId(id);
        var target = user == "me" ? me.Id : CheckUserId(user);
        await database.InTransactionAsync(async tx =>
        {
            var room = await RequireRoomAsync(tx, id, cancellationToken);
            if (target != me.Id)
            {
                RequireOwner(me, room);
            }
            else if (!await RoomsStore.IsMemberAsync(tx, id, me.Id, cancellationToken))
            {
                throw HubbubException.Forbidden("you are not a member of this room");
            }
            if (target == room.Owner)
            {
                throw HubbubException.Conflict("the owner cannot leave or be removed from their room");
            }
            if (await RoomsStore.RemoveMemberAsync(tx, id, target, cancellationToken) == 0)
            {
                throw HubbubException.NotFound($"'{target}' is not a member of this room");
            }
            return true;
        }, cancellationToken);
        await engine.RemoveUserFromChannelAsync(target, ChannelOf(id), "removed from the room", cancellationToken);
        await PublishAsync(id, "member_removed", target, cancellationToken);
        await engine.PublishAsync($"user:{target}", "room_removed",
            JsonSerializer.SerializeToUtf8Bytes(new RoomMemberEvent(id, target), RoomsJsonContext.Default.RoomMemberEvent), null, cancellationToken);
    }

    /// <summary>Tells a user, on their <c>user:{id}</c> channel, of a room they were added to (so their lists update live).</summary>
    private async Task TellUserAsync(string user, string type, RoomView room, CancellationToken ct) =>
        await engine.PublishAsync($"user:{user}", type, JsonSerializer.SerializeToUtf8Bytes(room, RoomsJsonContext.Default.RoomView), null, ct);

    private ValueTask<Hubbub.Core.Seams.Publication> PublishAsync(string room, string type, string user, CancellationToken ct) =>
        engine.PublishAsync(ChannelOf(room), type,
            JsonSerializer.SerializeToUtf8Bytes(new RoomMemberEvent(room, user), RoomsJsonContext.Default.RoomMemberEvent), null, ct);

    private static async Task<RoomRow> RequireRoomAsync(DatabaseTransaction tx, string id, CancellationToken ct) =>
        await RoomsStore.FindAsync(tx, id, ct) ?? throw HubbubException.NotFound("room not found");

    private static void RequireOwner(HubbubUser me, RoomRow room)
    {
        if (!me.IsAdmin && me.Id != room.Owner)
        {
            throw HubbubException.Forbidden("only the room's owner (or an admin) may change its members");
        }
    }

    private static RoomView View(RoomRow room, IReadOnlyList<string> members) =>
        new(room.Id, ChannelOf(room.Id), room.Title, room.Owner, members,
            DateTimeOffset.FromUnixTimeMilliseconds(room.CreatedMs).UtcDateTime);

    private static string NewRoomId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>A room id must make a valid channel name part: <c>room:{id}</c>.</summary>
    private static string CheckRoomId(string id)
    {
        if (id.Length is 0 or > MaxRoomIdLength || !ChannelName.TryParse(ChannelOf(id), int.MaxValue, out _, out _))
        {
            throw HubbubException.BadRequest(
                $"a room id is 1-{MaxRoomIdLength.ToString(CultureInfo.InvariantCulture)} letters, digits and _ - . : @ = , |");
        }
        return id;
    }

    /// <summary>A member must be able to own a <c>user:{id}</c> channel, so ids follow the channel-name rules.</summary>
    private static string CheckUserId(string? user)
    {
        if (string.IsNullOrEmpty(user) || user.Length > MaxUserIdLength || !ChannelName.TryParse("user:" + user, int.MaxValue, out _, out _))
        {
            throw HubbubException.BadRequest(
                $"a user id is 1-{MaxUserIdLength.ToString(CultureInfo.InvariantCulture)} letters, digits and _ - . : @ = , |");
        }
        return user;
    }

    private string? CheckTitle(string? title) =>
        title is not null && title.Length > Options.MaxTitleLength
            ? throw HubbubException.TooLarge($"a title holds at most {Options.MaxTitleLength} characters")
            : title;
}
