using Hubbub.Core;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Users;
using Microsoft.Extensions.Options;
using static Hubbub.Features.Social.SocialJsonContext;

namespace Hubbub.Features.Social;

/// <summary>
/// Friends: a request both ways is a friendship (the second request accepts the first); decline, remove, block. A block
/// ends the friendship and any requests between the two, and the blocked user can no longer request the blocker, so
/// they see, like and comment on nothing of theirs (all of that requires friendship). Every change between two users
/// runs with their pair locked, so crossing requests make one friendship.
/// </summary>
public sealed class FriendService(FeatureDatabase database, UserDirectory users, IOptions<SocialOptions> options)
{
    private SocialOptions Options => options.Value;

    /// <summary>Asks <c>user</c> to be friends, or accepts their request; answers <c>requested</c> or <c>friends</c>.</summary>
    public async Task<FriendshipAnswer> RequestAsync(HubbubUser me, FriendRequest request, CancellationToken cancellationToken = default)
    {
        var other = Other(me, request.User);
        var otherName = await users.NameOfAsync(other, cancellationToken);
        return await database.WriteAsync(async tx =>
        {
            await FriendStore.LockPairAsync(tx, me.Id, other, cancellationToken);
            if (await FriendStore.IsBlockedAsync(tx, other, me.Id, cancellationToken))
            {
                throw new HubbubException(Protocol.ErrorCodes.Forbidden, "blocked", "this user does not accept requests from you");
            }
            if (await FriendStore.IsBlockedAsync(tx, me.Id, other, cancellationToken))
            {
                throw new HubbubException(Protocol.ErrorCodes.Conflict, "blocked", "you blocked this user: unblock them first");
            }
            if (await FriendStore.AreFriendsAsync(tx, me.Id, other, cancellationToken))
            {
                return new FriendshipAnswer(other, "friends");
            }
            if (await FriendStore.HasRequestAsync(tx, other, me.Id, cancellationToken))
            {
                return await BefriendAsync(tx, me, other, otherName, cancellationToken);
            }
            // Both request lists stay bounded (FEATURES.md: every list is bounded), as the friend list is: a new request is
            // refused when its sender already has MaxFriends open requests out, or its receiver MaxFriends in.
            if (!await FriendStore.HasRequestAsync(tx, me.Id, other, cancellationToken)
                && (await FriendStore.OpenRequestCountAsync(tx, me.Id, outgoing: true, cancellationToken) >= Options.MaxFriends
                    || await FriendStore.OpenRequestCountAsync(tx, other, outgoing: false, cancellationToken) >= Options.MaxFriends))
            {
                throw HubbubException.TooLarge($"a user has at most {Options.MaxFriends} open friend requests each way");
            }
            if (await FriendStore.AddRequestAsync(tx, me.Id, other, tx.NowMs, cancellationToken))
            {
                var asked = new FriendEvent(me.Id, me.Name);
                await tx.PublishAsync(FeatureTransaction.UserChannel(other), SocialEvents.FriendRequest, asked, Default.FriendEvent, cancellationToken);
                await tx.NotifyAsync(other, SocialEvents.FriendRequest, asked, Default.FriendEvent, cancellationToken);
            }
            return new FriendshipAnswer(other, "requested");
        }, cancellationToken);
    }

    /// <summary>
    /// Accepts <c>user</c>'s request to me, the explicit twin of <see cref="DeclineAsync"/> (a request back does the same):
    /// answers <c>friends</c>, also when we already are (a retried accept); <c>not_found</c> when there is no request from
    /// them (an accept never sends a request of its own).
    /// </summary>
    public async Task<FriendshipAnswer> AcceptAsync(HubbubUser me, FriendRequest request, CancellationToken cancellationToken = default)
    {
        var other = Other(me, request.User);
        var otherName = await users.NameOfAsync(other, cancellationToken);
        return await database.WriteAsync(async tx =>
        {
            await FriendStore.LockPairAsync(tx, me.Id, other, cancellationToken);
            if (await FriendStore.AreFriendsAsync(tx, me.Id, other, cancellationToken))
            {
                return new FriendshipAnswer(other, "friends");
            }
            // A block removed the requests both ways, so a request still here comes from someone neither side blocked.
            return await FriendStore.HasRequestAsync(tx, other, me.Id, cancellationToken)
                ? await BefriendAsync(tx, me, other, otherName, cancellationToken)
                : throw HubbubException.NotFound("no request from this user");
        }, cancellationToken);
    }

    /// <summary>Makes <paramref name="other"/>'s open request to me a friendship, with the pair locked by the caller.</summary>
    private async Task<FriendshipAnswer> BefriendAsync(FeatureTransaction tx, HubbubUser me, string other, string otherName, CancellationToken cancellationToken)
    {
        if (await FriendStore.FriendCountAsync(tx, me.Id, cancellationToken) >= Options.MaxFriends
            || await FriendStore.FriendCountAsync(tx, other, cancellationToken) >= Options.MaxFriends)
        {
            throw HubbubException.TooLarge($"a user has at most {Options.MaxFriends} friends");
        }
        await FriendStore.RemoveRequestAsync(tx, other, me.Id, cancellationToken);
        await FriendStore.RemoveRequestAsync(tx, me.Id, other, cancellationToken);
        await FriendStore.AddFriendshipAsync(tx, me.Id, other, tx.NowMs, cancellationToken);
        await FeedStore.LockFriendshipAsync(tx, me.Id, other, cancellationToken);
        await FeedStore.BackfillAsync(tx, me.Id, other, cancellationToken);
        var toOther = new FriendEvent(me.Id, me.Name);
        await tx.PublishAsync(FeatureTransaction.UserChannel(other), SocialEvents.FriendAdded, toOther, Default.FriendEvent, cancellationToken);
        await tx.PublishAsync(FeatureTransaction.UserChannel(me.Id), SocialEvents.FriendAdded, new FriendEvent(other, otherName),
            Default.FriendEvent, cancellationToken);
        // The one who asked first learns later too; the one accepting did it themself.
        await tx.NotifyAsync(other, SocialEvents.FriendAdded, toOther, Default.FriendEvent, cancellationToken);
        return new FriendshipAnswer(other, "friends");
    }

    /// <summary>Declines <c>user</c>'s request to me; <c>not_found</c> when there is none.</summary>
    public Task<FriendshipAnswer> DeclineAsync(HubbubUser me, FriendRequest request, CancellationToken cancellationToken = default)
    {
        var other = Other(me, request.User);
        return database.WriteAsync(async tx =>
        {
            await FriendStore.LockPairAsync(tx, me.Id, other, cancellationToken);
            return await FriendStore.RemoveRequestAsync(tx, other, me.Id, cancellationToken) == 1
                ? new FriendshipAnswer(other, "declined")
                : throw HubbubException.NotFound("no request from this user");
        }, cancellationToken);
    }

    /// <summary>
    /// Ends a friendship (both hear <c>friend_removed</c>), or withdraws my request, or declines theirs;
    /// <c>not_found</c> when there is nothing between us.
    /// </summary>
    public Task<FriendshipAnswer> RemoveAsync(HubbubUser me, FriendRequest request, CancellationToken cancellationToken = default)
    {
        var other = Other(me, request.User);
        return database.WriteAsync(async tx =>
        {
            await FriendStore.LockPairAsync(tx, me.Id, other, cancellationToken);
            if (await FriendStore.RemoveFriendshipAsync(tx, me.Id, other, cancellationToken) > 0)
            {
                await AnnounceRemovedAsync(tx, me, other, cancellationToken);
                return new FriendshipAnswer(other, "removed");
            }
            var pending = await FriendStore.RemoveRequestAsync(tx, me.Id, other, cancellationToken)
                + await FriendStore.RemoveRequestAsync(tx, other, me.Id, cancellationToken);
            return pending > 0 ? new FriendshipAnswer(other, "removed") : throw HubbubException.NotFound("no friendship or request with this user");
        }, cancellationToken);
    }

    /// <summary>Blocks <c>user</c>: ends the friendship and requests both ways; they can no longer request me.</summary>
    public Task<FriendshipAnswer> BlockAsync(HubbubUser me, FriendRequest request, CancellationToken cancellationToken = default)
    {
        var other = Other(me, request.User);
        return database.WriteAsync(async tx =>
        {
            await FriendStore.LockPairAsync(tx, me.Id, other, cancellationToken);
            await FriendStore.AddBlockAsync(tx, me.Id, other, tx.NowMs, cancellationToken);
            if (await FriendStore.RemoveFriendshipAsync(tx, me.Id, other, cancellationToken) > 0)
            {
                await AnnounceRemovedAsync(tx, me, other, cancellationToken);
            }
            await FriendStore.RemoveRequestAsync(tx, me.Id, other, cancellationToken);
            await FriendStore.RemoveRequestAsync(tx, other, me.Id, cancellationToken);
            return new FriendshipAnswer(other, "blocked");
        }, cancellationToken);
    }

    /// <summary>Lifts my block of <c>user</c> (no friendship comes back); <c>not_found</c> when there was none.</summary>
    public Task<FriendshipAnswer> UnblockAsync(HubbubUser me, FriendRequest request, CancellationToken cancellationToken = default)
    {
        var other = Other(me, request.User);
        return database.WriteAsync(async tx =>
            await FriendStore.RemoveBlockAsync(tx, me.Id, other, cancellationToken) == 1
                ? new FriendshipAnswer(other, "unblocked")
                : throw HubbubException.NotFound("you have not blocked this user"), cancellationToken);
    }

    /// <summary>Rows of each friend list in a page when the call names no <c>limit</c>.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The largest <c>limit</c>.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>
    /// My friends, the requests to me and mine, newest first, <paramref name="limit"/> of each (FEATURES.md: every list is
    /// bounded and paged). Without a cursor: the first page of all three: <c>next_cursor</c> goes on with the friends,
    /// <c>incoming_next_cursor</c> and <c>outgoing_next_cursor</c> with the requests. A cursor names its list, so
    /// <c>before</c> continues that one list alone (the other two are then empty) and its <c>next_cursor</c> goes on with it,
    /// as does the list's own field (<c>incoming_next_cursor</c>, <c>outgoing_next_cursor</c>).
    /// </summary>
    public Task<FriendList> ListAsync(HubbubUser me, string? before, int? limit, CancellationToken cancellationToken = default)
    {
        var size = limit ?? DefaultPageSize;
        if (size is < 1 or > MaxPageSize)
        {
            throw HubbubException.BadRequest($"'limit' must be between 1 and {MaxPageSize}");
        }
        var cursor = before is null ? (FriendCursor?)null : FriendCursor.Parse(before);
        return database.ReadAsync(async tx =>
        {
            async Task<(IReadOnlyList<FriendView> Page, string? Next)> PageAsync(FriendListKind list)
            {
                if (cursor is { } c && c.List != list)
                {
                    return ([], null);
                }
                var rows = await FriendStore.PeopleAsync(tx, list, me.Id, cursor is { } at ? (at.Ms, at.User) : null, size, cancellationToken);
                var page = rows.Take(size).ToList();
                return (View(page), rows.Count > size ? new FriendCursor(list, page[^1].CreatedMs, page[^1].UserId).ToString() : null);
            }
            var (friends, friendsNext) = await PageAsync(FriendListKind.Friends);
            var (incoming, incomingNext) = await PageAsync(FriendListKind.Incoming);
            var (outgoing, outgoingNext) = await PageAsync(FriendListKind.Outgoing);
            // A page of one request list says where it goes on in its own field too, so a client that follows
            // incoming_next_cursor (or outgoing_) from the first page reads the whole list.
            return cursor is { } named
                ? new FriendList(friends, incoming, outgoing, named.List switch
                {
                    FriendListKind.Friends => friendsNext,
                    FriendListKind.Incoming => incomingNext,
                    _ => outgoingNext,
                }, incomingNext, outgoingNext)
                : new FriendList(friends, incoming, outgoing, friendsNext, incomingNext, outgoingNext);
        }, cancellationToken);
    }

    /// <summary>
    /// Announces an ended friendship and ends each one's subscriptions to the other's <c>activity:{id}</c> channels
    /// (on every node, after the commit): what they may no longer see, they no longer hear. One outbox row per activity
    /// of the two; ending a friendship is rare, and the channel rules refuse a new subscribe at once anyway.
    /// </summary>
    private async Task AnnounceRemovedAsync(FeatureTransaction tx, HubbubUser me, string other, CancellationToken ct)
    {
        await FeedStore.LockFriendshipAsync(tx, me.Id, other, ct);
        await FeedStore.PurgeAsync(tx, me.Id, other, ct);
        foreach (var (author, viewer) in new[] { (me.Id, other), (other, me.Id) })
        {
            foreach (var activity in await ActivityStore.IdsOfUserAsync(tx, author, ct))
            {
                await tx.EndSubscriptionsAsync(viewer, ActivityService.ActivityChannel(activity), "no longer friends", ct);
            }
        }
        await tx.PublishAsync(FeatureTransaction.UserChannel(other), SocialEvents.FriendRemoved, new FriendEvent(me.Id, me.Name), Default.FriendEvent, ct);
        await tx.PublishAsync(FeatureTransaction.UserChannel(me.Id), SocialEvents.FriendRemoved,
            new FriendEvent(other, await users.NameOfAsync(other, ct)), Default.FriendEvent, ct);
    }

    private static List<FriendView> View(List<PersonRow> rows) =>
        rows.ConvertAll(r => new FriendView(r.UserId, r.Name, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedMs).UtcDateTime));

    private static string Other(HubbubUser me, string? user)
    {
        var other = UserDirectory.CheckUserId(user);
        return other == me.Id ? throw HubbubException.BadRequest("you cannot befriend or block yourself") : other;
    }
}
