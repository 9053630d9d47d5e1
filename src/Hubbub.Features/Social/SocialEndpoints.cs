using Hubbub.Core;
using Hubbub.Features.Kit.Callers;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Http;
using static Hubbub.Features.Social.SocialJsonContext;

namespace Hubbub.Features.Social;

/// <summary>
/// The social REST API; the path's ids go into the same records the <c>social.*</c> commands read. A server
/// (<c>X-Api-Key</c>) names who acts with <c>?user=</c> (or <c>user</c> in an activity or comment body).
/// </summary>
internal static class SocialEndpoints
{
    /// <summary>
    /// The acting user of an activity call that needs no body (a like, an unlike, a deletion): a server names them with
    /// <c>"user"</c> in an optional JSON body, as FEATURES.md has it ("names the user it acts for in the body"), or with
    /// <c>?user=</c>. Before, only <c>?user=</c> counted and a body's <c>user</c> was refused as naming nobody.
    /// </summary>
    private static async Task<HubbubUser> ActorAsync(FeatureCall call) =>
        await call.CallerAsync((await call.OptionalBodyAsync(Default.ActivityRequest)).User);

    public static void MapFriends(RouteGroupBuilder friends)
    {
        friends.MapPost("/", async (FeatureCall call, FriendService s) =>
            FeatureCall.Json(await s.RequestAsync(await call.CallerAsync(), await call.BodyAsync(Default.FriendRequest), call.Aborted), Default.FriendshipAnswer))
            .WithName("RequestFriend").WithSummary("Ask a user to be friends, or accept their request")
            .Accepts<FriendRequest>("application/json").Produces<FriendshipAnswer>().Errors(400, 401, 403, 409, 413);
        friends.MapGet("/", async (FeatureCall call, FriendService s) => FeatureCall.Json(await s.ListAsync(await call.CallerAsync(), call.PageCursor(), call.IntQuery("limit"), call.Aborted), Default.FriendList))
            .WithName("ListFriends").WithSummary("My friends, the requests to me and mine, a page at a time").Produces<FriendList>().Errors(400, 401);
        friends.MapDelete("/{user}", async (string user, FeatureCall call, FriendService s) =>
            FeatureCall.Json(await s.RemoveAsync(await call.CallerAsync(), new FriendRequest(user), call.Aborted), Default.FriendshipAnswer))
            .WithName("RemoveFriend").WithSummary("End a friendship, withdraw my request or decline theirs").Produces<FriendshipAnswer>().Errors(400, 401, 404);
        friends.MapPost("/{user}/accept", async (string user, FeatureCall call, FriendService s) =>
            FeatureCall.Json(await s.AcceptAsync(await call.CallerAsync(), new FriendRequest(user), call.Aborted), Default.FriendshipAnswer))
            .WithName("AcceptFriend").WithSummary("Accept a user's request (as a request back does)").Produces<FriendshipAnswer>().Errors(400, 401, 404, 413);
        friends.MapPost("/{user}/decline", async (string user, FeatureCall call, FriendService s) =>
            FeatureCall.Json(await s.DeclineAsync(await call.CallerAsync(), new FriendRequest(user), call.Aborted), Default.FriendshipAnswer))
            .WithName("DeclineFriend").WithSummary("Decline a user's request").Produces<FriendshipAnswer>().Errors(400, 401, 404);
    }

    public static void MapBlocks(RouteGroupBuilder blocks)
    {
        blocks.MapPost("/", async (FeatureCall call, FriendService s) =>
            FeatureCall.Json(await s.BlockAsync(await call.CallerAsync(), await call.BodyAsync(Default.FriendRequest), call.Aborted), Default.FriendshipAnswer))
            .WithName("BlockUser").WithSummary("Block a user: ends friendship and requests; they cannot request, see, like or comment")
            .Accepts<FriendRequest>("application/json").Produces<FriendshipAnswer>().Errors(400, 401);
        blocks.MapDelete("/{user}", async (string user, FeatureCall call, FriendService s) =>
            FeatureCall.Json(await s.UnblockAsync(await call.CallerAsync(), new FriendRequest(user), call.Aborted), Default.FriendshipAnswer))
            .WithName("UnblockUser").WithSummary("Lift a block").Produces<FriendshipAnswer>().Errors(400, 401, 404);
    }

    public static void MapActivities(RouteGroupBuilder activities)
    {
        activities.MapPost("/", async (FeatureCall call, ActivityService s) =>
        {
            var (body, me) = await call.BodyAndCallerAsync(Default.PostActivityRequest);
            return FeatureCall.Json(await s.PostAsync(me, body, call.Aborted), Default.ActivityView, StatusCodes.Status201Created);
        }).WithName("PostActivity").WithSummary("Post an activity (idempotent by optional id)")
            .Accepts<PostActivityRequest>("application/json").Produces<ActivityView>(StatusCodes.Status201Created).Errors(400, 401, 413);
        activities.MapGet("/{id}", async (string id, FeatureCall call, ActivityService s) =>
            FeatureCall.Json(await s.GetAsync(await call.CallerAsync(), new ActivityRequest(id), call.Aborted), Default.ActivityView))
            .WithName("GetActivity").WithSummary("One activity (its author and their friends)").Produces<ActivityView>().Errors(400, 401, 404);
        activities.MapPatch("/{id}", async (string id, FeatureCall call, ActivityService s) =>
        {
            var (body, me) = await call.BodyAndCallerAsync(Default.UpdateActivityRequest);
            return FeatureCall.Json(await s.UpdateAsync(me, body with { Activity = id }, call.Aborted), Default.ActivityView);
        }).WithName("UpdateActivity").WithSummary("Edit my activity").Accepts<UpdateActivityRequest>("application/json")
            .Produces<ActivityView>().Errors(400, 401, 403, 404, 413);
        activities.MapDelete("/{id}", async (string id, FeatureCall call, ActivityService s) =>
        {
            await s.DeleteAsync(await ActorAsync(call), new ActivityRequest(id), call.Aborted);
            return TypedResults.NoContent();
        }).WithName("DeleteActivity").WithSummary("Delete my activity").Produces(StatusCodes.Status204NoContent).Errors(400, 401, 403, 404);
        activities.MapPost("/{id}/likes", async (string id, FeatureCall call, ActivityService s) =>
            FeatureCall.Json(await s.LikeAsync(await ActorAsync(call), new ActivityRequest(id), call.Aborted), Default.LikeState))
            .WithName("LikeActivity").WithSummary("Like (a second like changes nothing)").Produces<LikeState>().Errors(400, 401, 404);
        activities.MapDelete("/{id}/likes", async (string id, FeatureCall call, ActivityService s) =>
            FeatureCall.Json(await s.UnlikeAsync(await ActorAsync(call), new ActivityRequest(id), call.Aborted), Default.LikeState))
            .WithName("UnlikeActivity").WithSummary("Take my like back").Produces<LikeState>().Errors(400, 401, 404);
        activities.MapPost("/{id}/comments", async (string id, FeatureCall call, ActivityService s) =>
        {
            var (body, me) = await call.BodyAndCallerAsync(Default.CommentRequest);
            return FeatureCall.Json(await s.CommentAsync(me, body with { Activity = id }, call.Aborted), Default.CommentView, StatusCodes.Status201Created);
        }).WithName("CommentActivity").WithSummary("Comment").Accepts<CommentRequest>("application/json")
            .Produces<CommentView>(StatusCodes.Status201Created).Errors(400, 401, 404, 413);
        activities.MapGet("/{id}/comments", async (string id, FeatureCall call, ActivityService s) =>
            FeatureCall.Json(await s.CommentsAsync(await call.CallerAsync(), new ActivityRequest(id, call.PageCursor(), call.IntQuery("limit")), call.Aborted),
                Default.CommentPage))
            .WithName("ListComments").WithSummary("Comments, newest first").Produces<CommentPage>().Errors(400, 401, 404);
        activities.MapDelete("/{id}/comments/{comment}", async (string id, string comment, FeatureCall call, ActivityService s) =>
        {
            await s.DeleteCommentAsync(await ActorAsync(call), new DeleteCommentRequest(id, comment), call.Aborted);
            return TypedResults.NoContent();
        }).WithName("DeleteComment").WithSummary("Delete a comment (its writer or the activity's author)")
            .Produces(StatusCodes.Status204NoContent).Errors(400, 401, 403, 404);
    }

    public static void MapFeed(RouteGroupBuilder feed) =>
        feed.MapGet("/", async (FeatureCall call, ActivityService s) =>
            FeatureCall.Json(await s.FeedAsync(await call.CallerAsync(), new FeedRequest(call.PageCursor(), call.IntQuery("limit")), call.Aborted),
                Default.ActivityPage))
            .WithName("Feed").WithSummary("Mine and my friends' activities, newest first").Produces<ActivityPage>().Errors(400, 401);

    /// <summary>What <c>/api/users/{id}/activities</c> accepts for the caller, as <c>/api/users/{id}</c> does.</summary>
    private const string Me = "me";

    /// <summary>
    /// A user's activities. The path names whose: <c>me</c> is the caller; a server call that names no reader with
    /// <c>?user=</c> reads as the user the path names (FEATURES.md: a server names the user in the body or the path).
    /// </summary>
    public static void MapTimelines(RouteGroupBuilder users) =>
        users.MapGet("/{id}/activities", async (string id, FeatureCall call, ActivityService s) =>
        {
            var me = await call.CallerAsync(serverDefault: id == Me ? null : id);
            var page = new FeedRequest(call.PageCursor(), call.IntQuery("limit"), id == Me ? me.Id : id);
            return FeatureCall.Json(await s.TimelineAsync(me, page, call.Aborted), Default.ActivityPage);
        }).WithName("UserActivities").WithSummary("A user's activities (mine or a friend's; 'me' for the caller)").Produces<ActivityPage>()
            .Errors(400, 401, 403);

    public static void MapRules(RouteGroupBuilder rules)
    {
        rules.MapPost("/", async (FeatureCall call, ActivityRuleService s) =>
        {
            RequireServerOrAdmin(call);
            return FeatureCall.Json(await s.DefineAsync(await call.BodyAsync(Default.ActivityRuleRequest), call.Aborted), Default.ActivityRuleView,
                StatusCodes.Status201Created);
        }).WithName("DefineActivityRule").WithSummary("Domain events of a type become activities (server/admin)")
            .Accepts<ActivityRuleRequest>("application/json").Produces<ActivityRuleView>(StatusCodes.Status201Created).Errors(400, 401, 403, 413);
        rules.MapGet("/", async (FeatureCall call, ActivityRuleService s) =>
        {
            RequireServerOrAdmin(call);
            return FeatureCall.Json(await s.ListAsync(call.PageCursor(), call.IntQuery("limit"), call.Aborted), Default.ActivityRuleList);
        }).WithName("ListActivityRules").WithSummary("The activity rules by type (server/admin; ?limit= and ?cursor=next_cursor for pages)")
            .Produces<ActivityRuleList>().Errors(400, 401, 403);
    }

    /// <summary>Rules are definitions: the server (<c>X-Api-Key</c>) or an admin token; a user's token is <c>forbidden</c>.</summary>
    private static void RequireServerOrAdmin(FeatureCall call)
    {
        var identity = call.Http.RequestServices.GetRequiredService<IRequestIdentity>();
        if (identity.UserOf(call.Http) is { } user)
        {
            if (!user.IsAdmin)
            {
                throw HubbubException.Forbidden("only the server (X-Api-Key) or an admin may define activity rules");
            }
        }
        else if (!identity.HasServerKey(call.Http))
        {
            throw new HubbubException(Protocol.ErrorCodes.Unauthorized, identity.WhyUnauthenticated(call.Http));
        }
    }
}
