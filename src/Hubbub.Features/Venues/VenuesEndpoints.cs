using Hubbub.Core;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Http;
using static Hubbub.Features.Venues.VenuesJsonContext;

namespace Hubbub.Features.Venues;

/// <summary>The check-ins REST API under <c>/api/venues</c>; the path's ids go into the same records the commands read.</summary>
internal static class VenuesEndpoints
{
    public static void Map(RouteGroupBuilder venues)
    {
        venues.MapPost("/", CreateAsync).WithName("CreateVenue")
            .WithSummary("Create a venue (server or admin)").Accepts<VenueRequest>("application/json")
            .Produces<VenueView>(StatusCodes.Status201Created).Errors(400, 401, 403, 409, 413);
        venues.MapGet("/", ListAsync).WithName("ListVenues")
            .WithSummary("Venues by id with their stats; ?after=next_cursor, ?limit=1..100").Produces<VenueList>().Errors(400, 401);
        venues.MapGet("/visits", VisitsAsync).WithName("ListVisits")
            .WithSummary("My visits, newest first; ?before=next_cursor, ?limit=1..100 (a server names ?user=)").Produces<VisitList>().Errors(400, 401, 403);
        venues.MapGet("/{id}", GetAsync).WithName("GetVenue")
            .WithSummary("A venue with its stats in its local day").Produces<VenueView>().Errors(400, 401, 404);
        venues.MapPatch("/{id}", (string id, FeatureCall call, VenuesService service) => UpdateAsync(id, call, service, replace: false))
            .WithName("UpdateVenue").WithSummary("Change a venue's fields given (server or admin)").Accepts<VenueRequest>("application/json")
            .Produces<VenueView>().Errors(400, 401, 403, 404, 409, 413);
        venues.MapPut("/{id}", (string id, FeatureCall call, VenuesService service) => UpdateAsync(id, call, service, replace: true))
            .WithName("ReplaceVenue").WithSummary("Replace a venue's fields (server or admin)").Accepts<VenueRequest>("application/json")
            .Produces<VenueView>().Errors(400, 401, 403, 404, 409, 413);
        venues.MapPost("/{id}/checkins", CheckInAsync).WithName("CheckIn")
            .WithSummary("Check in (a user for themself; a server names 'user')").Accepts<CheckinRequest>("application/json")
            .Produces<VisitView>(StatusCodes.Status201Created).Errors(400, 401, 403, 404, 409, 413);
        venues.MapPost("/{id}/checkout", CheckOutAsync).WithName("CheckOut")
            .WithSummary("Check out (a user for themself; a server names 'user')").Accepts<CheckoutRequest>("application/json")
            .Produces<VisitView>().Errors(400, 401, 403, 404, 409, 413);
        venues.MapGet("/{id}/activity", ActivityAsync).WithName("VenueActivity")
            .WithSummary("The newest check-ins and check-outs; ?limit=1..100 (default 10), ?before=next_cursor").Produces<ActivityList>().Errors(400, 401, 404);
        venues.MapGet("/{id}/stats/history", HistoryAsync).WithName("VenueStatsHistory")
            .WithSummary("Per local day stats, today first; ?days=1..90 (default 30)").Produces<StatsHistory>().Errors(400, 401, 404);
    }

    private static async Task<IResult> CreateAsync(FeatureCall call, VenuesService service)
    {
        call.RequireServerOrAdmin();
        var body = await call.BodyAsync(Default.VenueRequest);
        return FeatureCall.Json(await service.CreateAsync(body, call.Aborted), Default.VenueView, StatusCodes.Status201Created);
    }

    private static async Task<IResult> UpdateAsync(string id, FeatureCall call, VenuesService service, bool replace)
    {
        call.RequireServerOrAdmin();
        var body = await call.BodyAsync(Default.VenueRequest);
        return FeatureCall.Json(await service.UpdateAsync(id, body, replace, call.Aborted), Default.VenueView);
    }

    // Reads open to every signed-in user and the server (the group already required one of them).
    private static async Task<IResult> ListAsync(FeatureCall call, VenuesService service) =>
        FeatureCall.Json(await service.ListAsync(call.PageCursor("after"), call.IntQuery("limit"), call.Aborted), Default.VenueList);

    private static async Task<IResult> GetAsync(string id, FeatureCall call, VenuesService service) =>
        FeatureCall.Json(await service.GetAsync(id, call.Aborted), Default.VenueView);

    private static async Task<IResult> ActivityAsync(string id, FeatureCall call, VenuesService service) =>
        FeatureCall.Json(await service.ActivityAsync(id, call.PageCursor(), call.IntQuery("limit"), call.Aborted), Default.ActivityList);

    private static async Task<IResult> HistoryAsync(string id, FeatureCall call, VenuesService service) =>
        FeatureCall.Json(await service.HistoryAsync(id, call.IntQuery("days"), call.Aborted), Default.StatsHistory);

    private static async Task<IResult> VisitsAsync(FeatureCall call, VenuesService service) =>
        FeatureCall.Json(await service.VisitsAsync(await call.CallerAsync(), call.PageCursor(), call.IntQuery("limit"), call.Aborted),
            Default.VisitList);

    private static async Task<IResult> CheckInAsync(string id, FeatureCall call, VenuesService service)
    {
        var body = await call.OptionalBodyAsync(Default.CheckinRequest);
        var me = await call.CallerAsync(body.User);
        return FeatureCall.Json(await service.CheckInAsync(me, body with { Venue = id }, call.Aborted), Default.VisitView, StatusCodes.Status201Created);
    }

    private static async Task<IResult> CheckOutAsync(string id, FeatureCall call, VenuesService service)
    {
        var body = await call.OptionalBodyAsync(Default.CheckoutRequest);
        var me = await call.CallerAsync(body.User);
        return FeatureCall.Json(await service.CheckOutAsync(me, body with { Venue = id }, call.Aborted), Default.VisitView);
    }
}
