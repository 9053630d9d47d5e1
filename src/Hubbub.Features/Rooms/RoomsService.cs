using System.Globalization;
using System.Security.Cryptography;
using Hubbub.Core;
using Hubbub.Core.Channels;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Text;
using Hubbub.Features.Kit.Users;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Rooms;

/// <summary>
/// Rooms: named groups (study groups, collaboration) whose members subscribe and publish on <c>room:{id}</c>.
/// The creator owns a room and, with admins, decides who is in it; a member may leave. Events are written with the
/// change (the kit's outbox) and published after the commit (<see cref="RoomsEvents"/>). A removed member's live
/// subscriptions to the room end (<c>unsubscribed</c>) on every node. Refusals are <see cref="HubbubException"/>s with
/// protocol error codes.
/// </summary>
public sealed class RoomsService(FeatureDatabase database, IOptions<RoomsOptions> options)
{
    /// <summary>Longest room id (the name part of its channel).</summary>
    public const int MaxRoomIdLength = 64;

    /// <summary>Longest user id accepted as a member.</summary>
    public const int MaxUserIdLength = UserIds.MaxLength;

    /// <summary>The channel namespace of rooms.</summary>
    public const string Namespace = "room";

    /// <summary>What <c>DELETE …/members/me</c> means: the caller. Not accepted as a member id.</summary>
    public const string Me = UserIds.Caller;

    /// <summary>Rooms per page of <c>GET /api/rooms</c> and <c>room.list</c> when <c>limit</c> is not given.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>Most rooms per page of <c>GET /api/rooms</c> and <c>room.list</c>.</summary>
    public const int MaxPageSize = 100;

    private RoomsOptions Options => options.Value;

    /// <summary>The channel of a room.</summary>
    public static string ChannelOf(string room) => $"{Namespace}:{room}";

    /// <summary>
    /// May <paramref name="user"/> use room <paramref name="room"/>'s channel? A read that takes no write lock: it is
    /// asked on every subscribe, and on publishes by connections not subscribed to the room.
    /// </summary>
    public static Task<bool> IsMemberAsync(IDatabase database, string user, string room, CancellationToken cancellationToken = default) =>
        database.ReadAsync(tx => RoomsStore.IsMemberAsync(tx, room, user, cancellationToken), cancellationToken);

    /// <summary>A room as its members see it, or null; the state of its channel for a new subscriber.</summary>
    public static Task<RoomView?> FindAsync(IDatabase database, string room, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async tx => await RoomsStore.FindAsync(tx, room, cancellationToken) is { } row
            ? View(row, await RoomsStore.MembersAsync(tx, room, cancellationToken))
            : null, cancellationToken);

    /// <summary>Creates a room owned by <paramref name="me"/>, with the listed members; a taken id is <c>conflict</c>.</summary>
    public async Task<RoomView> CreateAsync(HubbubUser me, CreateRoomRequest request, CancellationToken cancellationToken = default)
    {
        var id = request.Id is null ? NewRoomId() : CheckRoomId(request.Id);
        var title = CheckTitle(request.Title);
        var others = CheckMembers(request.Members ?? [], me.Id, alreadyIn: 1);
        return await database.WriteAsync(async tx =>
        {
            if (!await RoomsStore.TryInsertAsync(tx, id, title, me.Id, tx.NowMs, cancellationToken))
            {
                throw new HubbubException(Protocol.ErrorCodes.Conflict, "room_exists", $"room '{id}' already exists");
            }
            await RoomsStore.AddMembersAsync(tx, id, others.Prepend(me.Id), tx.NowMs, cancellationToken);
            var view = View(new RoomRow { Id = id, Title = title, Owner = me.Id, CreatedMs = tx.NowMs },
                await RoomsStore.MembersAsync(tx, id, cancellationToken));
            // A new room: its members other than the owner hear of it on their own channels, and keep a notification.
            await AnnounceAddedAsync(tx, me, view, others, cancellationToken);
            return view;
        }, cancellationToken);
    }

    private static async Task AnnounceAddedAsync(FeatureTransaction tx, HubbubUser me, RoomView room, IEnumerable<string> added, CancellationToken ct)
    {
        foreach (var user in added)
        {
            await tx.PublishAsync(FeatureTransaction.UserChannel(user), RoomsEvents.RoomAdded, room, RoomsJsonContext.Default.RoomView, ct);
            await tx.NotifyAsync(user, RoomsEvents.RoomAdded, new RoomAddedNotice(room.Id, room.Title, me.Id), RoomsJsonContext.Default.RoomAddedNotice, ct);
        }
    }

    /// <summary>The rooms <paramref name="me"/> is a member of, newest first.</summary>
    public async Task<RoomList> ListAsync(HubbubUser me, string? before = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var take = limit switch
        {
            null => DefaultPageSize,
            >= 1 and <= MaxPageSize => limit.Value,
            _ => throw HubbubException.BadRequest($"'limit' must be 1-{MaxPageSize}"),
        };
        var (beforeMs, beforeId) = ParseCursor(before);
        // One more than the page, to know whether an older page follows.
        var (rooms, members) = await database.ReadAsync(
            tx => RoomsStore.RoomsOfAsync(tx, me.Id, beforeMs, beforeId, take + 1, cancellationToken), cancellationToken);
        var page = rooms.Take(take).ToList();
        var byRoom = members.ToLookup(m => m.RoomId, m => m.UserId, StringComparer.Ordinal);
        var next = rooms.Count > take ? KeysetCursor.Format(page[^1].CreatedMs, page[^1].Id, CursorSeparator) : null;
        return new RoomList(page.Select(r => View(r, byRoom[r.Id].ToList())).ToList(), next);
    }

    // A cursor is "{created_ms}_{room id}" of the last room of the previous page.
    private const char CursorSeparator = '_';

    private static KeysetCursor ParseCursor(string? before) =>
        string.IsNullOrEmpty(before) // ?before= (empty), as FEATURES.md writes lists: the first page
            ? new KeysetCursor(long.MaxValue, "")
            : KeysetCursor.Parse(before, CursorSeparator, id => id.Length is >= 1 and <= MaxRoomIdLength);

    /// <summary>One room, for its members and admins.</summary>
    public async Task<RoomView> GetAsync(HubbubUser me, RoomRequest request, CancellationToken cancellationToken = default)
    {
        var id = CheckRoomId(request.Room);
        return await database.ReadAsync(async tx =>
        {
            var room = await RoomsStore.FindAsync(tx, id, cancellationToken) ?? throw NotFound();
            if (!me.IsAdmin && !await RoomsStore.IsMemberAsync(tx, id, me.Id, cancellationToken))
            {
                throw HubbubException.Forbidden("you are not a member of this room");
            }
            return View(room, await RoomsStore.MembersAsync(tx, id, cancellationToken));
        }, cancellationToken);
    }

    /// <summary>Adds users to a room (its owner or an admin only); members already in are left as they are.</summary>
    public async Task<RoomView> AddMembersAsync(HubbubUser me, AddMembersRequest request, CancellationToken cancellationToken = default)
    {
        var id = CheckRoomId(request.Room);
        if (request.Members is not { Count: > 0 } listed)
        {
            throw HubbubException.BadRequest("'members' must list at least one user id");
        }
        var users = CheckMembers(listed, except: null, alreadyIn: 0);
        return await database.WriteAsync(async tx =>
        {
            // Locked (PostgreSQL), so two adds to one room cannot both pass the cap below.
            var room = await RoomsStore.FindForUpdateAsync(tx, id, cancellationToken) ?? throw NotFound();
            RequireOwner(me, room);
            var added = await RoomsStore.AddMembersAsync(tx, id, users, tx.NowMs, cancellationToken);
            var members = await RoomsStore.MembersAsync(tx, id, cancellationToken);
            if (members.Count > Options.MaxMembers)
            {
                throw TooMany(); // rolls back
            }
            var view = View(room, members);
            foreach (var user in added)
            {
                await tx.PublishAsync(ChannelOf(id), RoomsEvents.MemberAdded, new RoomMemberEvent(id, user), RoomsJsonContext.Default.RoomMemberEvent,
                    cancellationToken);
            }
            await AnnounceAddedAsync(tx, me, view, added, cancellationToken);
            return view;
        }, cancellationToken);
    }

    /// <summary>
    /// Removes the request's <c>user</c> (<c>me</c> for the caller) from a room: a member may remove themselves, the
    /// owner or an admin anyone but the owner. Their live subscriptions to the room end on every node.
    /// </summary>
    public async Task RemoveMemberAsync(HubbubUser me, RemoveMemberRequest request, CancellationToken cancellationToken = default)
    {
        var id = CheckRoomId(request.Room);
        var target = request.User is null ? throw HubbubException.BadRequest("'user' is required ('me' to leave)")
            : request.User == Me ? me.Id : CheckUserId(request.User);
        await database.WriteAsync(async tx =>
        {
            var room = await RoomsStore.FindForUpdateAsync(tx, id, cancellationToken) ?? throw NotFound();
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
                throw new HubbubException(Protocol.ErrorCodes.Conflict, "owner_stays", "the owner cannot leave or be removed from their room");
            }
            if (await RoomsStore.RemoveMemberAsync(tx, id, target, cancellationToken) == 0)
            {
                throw HubbubException.NotFound($"'{target}' is not a member of this room");
            }
            // Their subscriptions end on every node first, then the room and they hear of it.
            await tx.EndSubscriptionsAsync(target, ChannelOf(id), "removed from the room", cancellationToken);
            var data = new RoomMemberEvent(id, target);
            await tx.PublishAsync(ChannelOf(id), RoomsEvents.MemberRemoved, data, RoomsJsonContext.Default.RoomMemberEvent, cancellationToken);
            await tx.PublishAsync(FeatureTransaction.UserChannel(target), RoomsEvents.RoomRemoved, data, RoomsJsonContext.Default.RoomMemberEvent,
                cancellationToken);
        }, cancellationToken);
    }

    internal static HubbubException NotFound() => HubbubException.NotFound("room not found");

    private HubbubException TooMany() => HubbubException.TooLarge($"a room holds at most {Options.MaxMembers} members");

    private static void RequireOwner(HubbubUser me, RoomRow room)
    {
        if (!me.IsAdmin && me.Id != room.Owner)
        {
            throw HubbubException.Forbidden("only the room's owner (or an admin) may change its members");
        }
    }

    /// <summary>
    /// Validates a list of user ids, bounded before any work: more than the cap is refused at once. Returns them
    /// without duplicates (and without <paramref name="except"/>), in the order given.
    /// </summary>
    private List<string> CheckMembers(IReadOnlyList<string> users, string? except, int alreadyIn)
    {
        if (users.Count + alreadyIn > Options.MaxMembers)
        {
            throw TooMany();
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>(users.Count);
        foreach (var user in users)
        {
            CheckUserId(user);
            if (user == Me)
            {
                throw HubbubException.BadRequest("'me' stands for the caller and cannot be a member id");
            }
            if (user != except && seen.Add(user))
            {
                result.Add(user);
            }
        }
        return result;
    }

    private static RoomView View(RoomRow room, IReadOnlyList<string> members) =>
        new(room.Id, ChannelOf(room.Id), room.Title, room.Owner, members,
            DateTimeOffset.FromUnixTimeMilliseconds(room.CreatedMs).UtcDateTime);

    private static string NewRoomId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>A room id must make a valid channel name part: <c>room:{id}</c>.</summary>
    private static string CheckRoomId(string? id)
    {
        if (id is null)
        {
            throw HubbubException.BadRequest("'room' is required");
        }
        if (id.Length > MaxRoomIdLength || !ChannelName.IsValidName(id))
        {
            throw HubbubException.BadRequest(
                $"a room id is 1-{MaxRoomIdLength.ToString(CultureInfo.InvariantCulture)} letters, digits and _ - . : @ = , |");
        }
        return id;
    }

    /// <summary>A member must be able to own a <c>user:{id}</c> channel, so ids follow the channel-name rules.</summary>
    private static string CheckUserId(string? user) => UserDirectory.CheckUserId(user);

    private string? CheckTitle(string? title) => StoredText.Title(title, Options.MaxTitleLength);
}
