using Hubbub.Core;
using Hubbub.Features.Kit.Callers;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Http;
using static Hubbub.Features.Learning.LearningJsonContext;

namespace Hubbub.Features.Learning;

/// <summary>The learning REST API under <c>/api/courses</c>; the path's ids go into the same records the commands read.</summary>
internal static class LearningEndpoints
{
    public static void Map(RouteGroupBuilder courses)
    {
        courses.MapPost("/", CreateAsync).WithName("CreateCourse")
            .WithSummary("Define a course (server or admin): published at once unless 'draft'").Accepts<CourseRequest>("application/json")
            .Produces<CourseView>(StatusCodes.Status201Created).Errors(400, 401, 403, 409, 413);
        courses.MapGet("/", ListAsync).WithName("ListCourses")
            .WithSummary("Courses, newest first; ?state=, ?before= (or ?cursor=), ?limit=1..100 (drafts for the server and admins only)")
            .Produces<CourseList>().Errors(400, 401);
        courses.MapGet("/{id}", GetAsync).WithName("GetCourse")
            .WithSummary("One course with its current definition").Produces<CourseView>().Errors(400, 401, 404);
        courses.MapPut("/{id}", UpdateAsync).WithName("UpdateCourse")
            .WithSummary("Edit a course (server or admin): a new version; progress is kept by task key").Accepts<CourseRequest>("application/json")
            .Produces<CourseView>().Errors(400, 401, 403, 404, 413);
        courses.MapPost("/{id}/publish", (string id, FeatureCall call, CoursesService s) => SetStateAsync(id, CourseStates.Published, call, s))
            .WithName("PublishCourse").WithSummary("Open a course to learners (server or admin)").Produces<CourseView>().Errors(400, 401, 403, 404);
        courses.MapPost("/{id}/archive", (string id, FeatureCall call, CoursesService s) => SetStateAsync(id, CourseStates.Archived, call, s))
            .WithName("ArchiveCourse").WithSummary("Close a course to new work (server or admin)").Produces<CourseView>().Errors(400, 401, 403, 404);
        courses.MapPost("/{id}/enroll", EnrollAsync).WithName("EnrollInCourse")
            .WithSummary("Enrol (a server names 'user'), optionally with a study-group 'room'").Accepts<EnrollRequest>("application/json")
            .Produces<ProgressView>().Errors(400, 401, 403, 404, 409, 413);
        courses.MapGet("/{id}/progress", ProgressAsync).WithName("CourseProgress")
            .WithSummary("My progress (a server names ?user=)").Produces<ProgressView>().Errors(400, 401, 404);
        courses.MapPost("/{id}/tasks/{key}/complete", CompleteAsync).WithName("CompleteTask")
            .WithSummary("Complete a task (idempotent); a server names 'user'").Accepts<CompleteRequest>("application/json")
            .Produces<ProgressView>().Errors(400, 401, 403, 404, 409, 413);
        courses.MapGet("/{id}/learners", LearnersAsync).WithName("CourseLearners")
            .WithSummary("The course's learners with their progress (owner, admin, server); ?before= (or ?cursor=), ?limit=1..100")
            .Produces<LearnerList>().Errors(400, 401, 403, 404);
        courses.MapPost("/{id}/rooms", LinkRoomAsync).WithName("LinkCourseRoom")
            .WithSummary("Link a study-group room (its owner, an admin, the server)").Accepts<LinkRoomRequest>("application/json")
            .Produces<CourseRoomView>(StatusCodes.Status201Created).Produces<CourseRoomView>().Errors(400, 401, 403, 404, 413);
        courses.MapGet("/{id}/rooms", RoomsAsync).WithName("CourseRooms")
            .WithSummary("The study-group rooms linked to a course, oldest first (?limit=1..1000, default 100; ?cursor=next_cursor)").Produces<CourseRoomList>().Errors(400, 401, 404);
    }

    private static async Task<IResult> CreateAsync(FeatureCall call, IRequestIdentity identity, CoursesService service)
    {
        call.RequireServerOrAdmin();
        var body = await call.BodyAsync(Default.CourseRequest);
        // An admin owns what they define unless the body names an owner; a server's course has none unless named.
        var owner = identity.UserOf(call.Http)?.Id;
        return FeatureCall.Json(await service.CreateAsync(owner, body, call.Aborted), Default.CourseView, StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(FeatureCall call, CoursesService service)
    {
        var state = call.TextQuery("state");
        var cursor = call.PageCursor();
        return FeatureCall.Json(await service.ListAsync(call.IsServerOrAdmin, state, cursor, call.IntQuery("limit"), call.Aborted), Default.CourseList);
    }

    private static async Task<IResult> GetAsync(string id, FeatureCall call, CoursesService service) =>
        FeatureCall.Json(await service.GetAsync(call.IsServerOrAdmin, id, call.Aborted), Default.CourseView);

    private static async Task<IResult> UpdateAsync(string id, FeatureCall call, CoursesService service)
    {
        call.RequireServerOrAdmin();
        var body = await call.BodyAsync(Default.CourseRequest);
        return FeatureCall.Json(await service.UpdateAsync(id, body, call.Aborted), Default.CourseView);
    }

    private static async Task<IResult> SetStateAsync(string id, string state, FeatureCall call, CoursesService service)
    {
        call.RequireServerOrAdmin();
        return FeatureCall.Json(await service.SetStateAsync(id, state, call.Aborted), Default.CourseView);
    }

    private static async Task<IResult> EnrollAsync(string id, FeatureCall call, LearningService service)
    {
        var (body, me) = await call.OptionalBodyAndCallerAsync(Default.EnrollRequest);
        return FeatureCall.Json(await service.EnrollAsync(me, body with { Course = id }, call.Aborted), Default.ProgressView);
    }

    private static async Task<IResult> ProgressAsync(string id, FeatureCall call, LearningService service) =>
        FeatureCall.Json(await service.ProgressAsync(await call.CallerAsync(), new ProgressRequest(id), call.Aborted), Default.ProgressView);

    private static async Task<IResult> CompleteAsync(string id, string key, FeatureCall call, LearningService service)
    {
        // The body is optional ({} or none): a task without a pass mark needs nothing but the path.
        var request = call.Http.Request;
        var body = request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding"))
            ? new CompleteRequest()
            : await call.BodyAsync(Default.CompleteRequest);
        var me = await call.CallerAsync(body.User);
        return FeatureCall.Json(await service.CompleteAsync(me, body with { Course = id, Task = key }, call.Aborted), Default.ProgressView);
    }

    private static async Task<IResult> LearnersAsync(string id, FeatureCall call, LearningService service)
    {
        var privileged = call.IsServerOrAdmin;
        var me = privileged ? null : await call.CallerAsync();
        var cursor = call.PageCursor();
        return FeatureCall.Json(await service.LearnersAsync(me, privileged, id, cursor, call.IntQuery("limit"), call.Aborted), Default.LearnerList);
    }

    private static async Task<IResult> LinkRoomAsync(string id, FeatureCall call, LearningService service)
    {
        var body = await call.BodyAsync(Default.LinkRoomRequest);
        var privileged = call.IsServerOrAdmin;
        // The server need not act for anyone here; a user (or a server naming one) must own the room.
        var me = privileged && body.User is null ? null : await call.CallerAsync(body.User);
        var (room, created) = await service.LinkRoomAsync(me, privileged, body with { Course = id }, call.Aborted);
        return FeatureCall.Json(room, Default.CourseRoomView, created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> RoomsAsync(string id, FeatureCall call, LearningService service) =>
        FeatureCall.Json(await service.RoomsAsync(call.IsServerOrAdmin, id, call.PageCursor(), call.IntQuery("limit"), call.Aborted),
            Default.CourseRoomList);
}
