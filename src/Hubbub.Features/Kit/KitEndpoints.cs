using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Http;
using Hubbub.Features.Kit.Notifications;
using Hubbub.Features.Kit.Text;
using Hubbub.Features.Kit.Users;

namespace Hubbub.Features.Kit;

/// <summary>The kit's own REST API: the user directory, online status and the notification inbox.</summary>
internal static class KitEndpoints
{
    /// <summary>What <c>users/{id}</c> accepts for the caller.</summary>
    private const string Me = UserIds.Caller;

    public static void MapUsers(RouteGroupBuilder users)
    {
        users.MapGet("/{id}", GetProfileAsync).WithName("GetUser")
            .WithSummary("A user's name and time zone ('me' for the caller)").Produces<UserProfile>().Errors(400, 401);
        users.MapPatch("/{id}", UpdateProfileAsync).WithName("UpdateUser")
            .WithSummary("Change one's own name or IANA time zone (a server names the user in the path)")
            .Accepts<UpdateProfileRequest>("application/json").Produces<UserProfile>().Errors(400, 401, 403, 413);
        // The same change under the names a client may guess: the time zone is "on the user's profile", which GET
        // /api/users/{id}/profile shows (gamification's view of it).
        users.MapMethods("/{id}", [HttpMethods.Put], UpdateProfileAsync).WithName("PutUser")
            .WithSummary("Same as PATCH /api/users/{id}").Accepts<UpdateProfileRequest>("application/json").Produces<UserProfile>().Errors(400, 401, 403, 413);
        users.MapMethods("/{id}/profile", [HttpMethods.Patch, HttpMethods.Put], UpdateProfileAsync).WithName("UpdateUserProfile")
            .WithSummary("Same as PATCH /api/users/{id}").Accepts<UpdateProfileRequest>("application/json").Produces<UserProfile>().Errors(400, 401, 403, 413);
        users.MapGet("/{id}/status", StatusAsync).WithName("UserStatus")
            .WithSummary("Whether a user is online, and when they were last seen").Produces<UserStatus>().Errors(400, 401);
    }

    public static void MapNotifications(RouteGroupBuilder notifications)
    {
        notifications.MapGet("/", ListAsync).WithName("ListNotifications")
            .WithSummary("My notifications, newest first; ?unread=true, ?before=cursor, ?limit=1..100 (a server names ?user=)")
            .Produces<NotificationList>().Errors(400, 401);
        notifications.MapPost("/read", MarkReadAsync).WithName("MarkNotificationsRead")
            .WithSummary("Mark every notification up to 'up_to' read").Accepts<MarkReadRequest>("application/json")
            .Produces<UnreadCount>().Errors(400, 401, 413);
    }

    private static async Task<IResult> GetProfileAsync(string id, FeatureCall call, UserDirectory users)
    {
        var who = id == Me ? (await call.CallerAsync()).Id : id;
        return FeatureCall.Json(await users.GetAsync(who, call.Aborted), KitJsonContext.Default.UserProfile);
    }

    private static async Task<IResult> UpdateProfileAsync(string id, FeatureCall call, UserDirectory users)
    {
        var body = await call.BodyAsync(KitJsonContext.Default.UpdateProfileRequest);
        // The path names the user: a user may change only themself; the server (or an admin) acts for the one named.
        var me = await call.CallerAsync(id == Me ? body.User : id);
        return FeatureCall.Json(await users.UpdateAsync(me, body, call.Aborted), KitJsonContext.Default.UserProfile);
    }

    // Any signed-in user (or the server) may read anyone's status and profile: the group already required one.
    private static async Task<IResult> StatusAsync(string id, FeatureCall call, OnlineStatusTracker status) =>
        FeatureCall.Json(await status.GetAsync(id, call.Aborted), KitJsonContext.Default.UserStatus);

    private static async Task<IResult> ListAsync(FeatureCall call, NotificationService notifications)
    {
        var me = await call.CallerAsync();
        var unread = call.Http.Request.Query["unread"].ToString() switch
        {
            "" or "false" => false,
            "true" => true,
            _ => throw Core.HubbubException.BadRequest("'unread' must be true or false"),
        };
        var before = call.PageCursor();
        return FeatureCall.Json(await notifications.ListAsync(me, unread, before, call.IntQuery("limit"), call.Aborted),
            KitJsonContext.Default.NotificationList);
    }

    private static async Task<IResult> MarkReadAsync(FeatureCall call, NotificationService notifications)
    {
        var (body, me) = await call.BodyAndCallerAsync(KitJsonContext.Default.MarkReadRequest);
        return FeatureCall.Json(await notifications.MarkReadAsync(me, body, call.Aborted), KitJsonContext.Default.UnreadCount);
    }
}
