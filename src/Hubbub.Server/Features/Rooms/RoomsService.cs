using System.Globalization;
using System.Security.Cryptography;
using Hubbub.Core;
using Hubbub.Core.Channels;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Features.Rooms;

/// <summary>
/// Rooms: named groups (study groups, collaboration) whose members subscribe and publish on <c>room:{id}</c>.
/// The creator owns a room and, with admins, decides who is in it; a member may leave. Every change is committed
/// before its events are published (<see cref="RoomsEvents"/>). A removed member's live subscriptions to the room
/// end (<c>unsubscribed</c>) on every node. Refusals are <see cref="HubbubException"/>s with protocol error codes.
/// </summary>
public sealed class RoomsService(IDatabase database, RoomsEvents events, IOptions<RoomsOptions> options, TimeProvider time)
{
    /// <summary>Longest room id (the name part of its channel).</summary>
    public const int MaxRoomIdLength = 64;

    /// <summary>Longest user id accepted as a member.</summary>
    public const int MaxUserIdLength = UserIds.MaxLength;

    /// <summary>The channel namespace of rooms.</summary>
    public const string Namespace = "room";

    /// <summary>What <c>DELETE …/members/me</c> means: the caller. Not accepted as a member id.</summary>
    public const string Me = "me";

    private RoomsOptions Options => options.Value;

    private long NowMs => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The channel of a room.</summary>
    public static string ChannelOf(string room) => $"{Namespace}:{room}";

    /// <summary>
    /// May <paramref name="user"/> use room <paramref name="room"/>'s channel? A read that takes no write lock: it is
    /// asked on every subscribe, and on publishes by connections not subscribed to the room.
    /// </summary>
    public Task<bool> IsMemberAsync(string user, string room, CancellationToken cancellationToken = default) =>
        database.ReadAsync(tx => RoomsStore.IsMemberAsync(tx, room, user, cancellationToken), cancellationToken);

    /// <summary>Creates a room owned by <paramref name="me"/>, with the listed members; a taken id is <c>conflict</c>.</summary>
    public async Task<RoomView> CreateAsync(HubbubUser me, CreateRoomRequest request, CancellationToken cancellationToken = default)
    {
        var id = request.Id is null ? NewRoomId() : CheckRoomId(request.Id);
        var title = CheckTitle(request.Title);
        var others = CheckMembers(request.Members ?? [], me.Id, alreadyIn: 1);
        var now = NowMs;
        var view = await database.InTransactionAsync(async tx =>
        {
            if (!await RoomsStore.TryInsertAsync(tx, id, title, me.Id, now, cancellationToken))
            {
                throw HubbubException.Conflict($"room '{id}' already exists");
            }
            await RoomsStore.AddMembersAsync(tx, id, others.Prepend(me.Id), now, cancellationToken);
            return View(new RoomRow { Id = id, Title = title, Owner = me.Id, CreatedMs = now },
                await RoomsStore.MembersAsync(tx, id, cancellationToken));
        }, cancellationToken);
        await events.RoomAddedAsync(view, others);
        return view;
    }

    /// <summary>The rooms <paramref name="me"/> is a member of, newest first.</summary>
    public async Task<RoomList> ListAsync(HubbubUser me, CancellationToken cancellationToken = default)
    {
        var (rooms, members) = await database.ReadAsync(tx => RoomsStore.RoomsOfAsync(tx, me.Id, cancellationToken), cancellationToken);
        var byRoom = members.ToLookup(m => m.RoomId, m => m.UserId, StringComparer.Ordinal);
        return new RoomList(rooms.Select(r => View(r, byRoom[r.Id].ToList())).ToList());
    }

    /// <summary>One room, for its members and admins.</summary>
    public async Task<RoomView> GetAsync(HubbubUser me, string id, CancellationToken cancellationToken = default)
    {
        CheckRoomId(id);
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
    public async Task<RoomView> AddMembersAsync(HubbubUser me, string id, AddMembersRequest request, CancellationToken cancellationToken = default)
    {
        CheckRoomId(id);
        if (request.Members is not { Count: > 0 } listed)
        {
            throw HubbubException.BadRequest("'members' must list at least one user id");
        }
        var users = CheckMembers(listed, except: null, alreadyIn: 0);
        var (view, added) = await database.InTransactionAsync(async tx =>
        {
            // Locked (PostgreSQL), so two adds to one room cannot both pass the cap below.
            var room = await RoomsStore.FindForUpdateAsync(tx, id, cancellationToken) ?? throw NotFound();
            RequireOwner(me, room);
            var added = await RoomsStore.AddMembersAsync(tx, id, users, NowMs, cancellationToken);
            var members = await RoomsStore.MembersAsync(tx, id, cancellationToken);
            if (members.Count > Options.MaxMembers)
            {
                throw TooMany(); // rolls back
            }
            return (View(room, members), added);
        }, cancellationToken);
        await events.MembersAddedAsync(view, added);
        return view;
    }

    /// <summary>
    /// Removes <paramref name="user"/> (<c>me</c> for the caller) from a room: a member may remove themselves, the
    /// owner or an admin anyone but the owner. Their live subscriptions to the room end on every node.
    /// </summary>
    public async Task RemoveMemberAsync(HubbubUser me, string id, string user, CancellationToken cancellationToken = default)
    {
        CheckRoomId(id);
        var target = user == Me ? me.Id : CheckUserId(user);
        await database.InTransactionAsync(async tx =>
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
                throw HubbubException.Conflict("the owner cannot leave or be removed from their room");
            }
            if (await RoomsStore.RemoveMemberAsync(tx, id, target, cancellationToken) == 0)
            {
                throw HubbubException.NotFound($"'{target}' is not a member of this room");
            }
            return true;
        }, cancellationToken);
        await events.MemberRemovedAsync(id, target);
    }

    private static HubbubException NotFound() => HubbubException.NotFound("room not found");

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
    private static string CheckRoomId(string id)
    {
        if (id.Length > MaxRoomIdLength || !ChannelName.IsValidName(id))
        {
            throw HubbubException.BadRequest(
                $"a room id is 1-{MaxRoomIdLength.ToString(CultureInfo.InvariantCulture)} letters, digits and _ - . : @ = , |");
        }
        return id;
    }

    /// <summary>A member must be able to own a <c>user:{id}</c> channel, so ids follow the channel-name rules.</summary>
    private static string CheckUserId(string? user)
    {
        if (!UserIds.IsValid(user))
        {
            throw HubbubException.BadRequest(
                $"a user id is 1-{MaxUserIdLength.ToString(CultureInfo.InvariantCulture)} letters, digits and _ - . : @ = , |");
        }
        return user;
    }

    private string? CheckTitle(string? title) => StoredText.Title(title, Options.MaxTitleLength);
}
