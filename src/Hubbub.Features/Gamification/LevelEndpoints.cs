using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Http;
using static Hubbub.Features.Gamification.GamificationJsonContext;

namespace Hubbub.Features.Gamification;

/// <summary>
/// <c>/api/levels</c>: the level curve in force (anyone signed in reads it, as the profile shows levels), stored or
/// replaced (<c>POST</c>/<c>PUT</c>, server/admin), removed so the configured one applies again (<c>DELETE</c>).
/// One curve, so no key in the path.
/// </summary>
internal static class LevelEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/", async (FeatureCall call, DefinitionService service) =>
        {
            GamificationAccess.Viewer(call);
            return FeatureCall.Json(await service.LevelsAsync(call.Aborted), Default.LevelsView);
        }).WithName("GetLevels").WithSummary("The level curve events use: stored, or the configured one").Produces<LevelsView>().Errors(401);
        group.MapPost("/", (FeatureCall call, DefinitionService service) => StoreAsync(call, service, StatusCodes.Status201Created))
            .WithName("CreateLevels").WithSummary("Store the level curve {thresholds} (server/admin); applies to later events")
            .Accepts<LevelsRequest>("application/json").Produces<LevelsView>(StatusCodes.Status201Created).Errors(400, 401, 403, 413);
        group.MapPut("/", (FeatureCall call, DefinitionService service) => StoreAsync(call, service, StatusCodes.Status200OK))
            .WithName("ReplaceLevels").WithSummary("Replace the level curve {thresholds} (server/admin); applies to later events")
            .Accepts<LevelsRequest>("application/json").Produces<LevelsView>().Errors(400, 401, 403, 413);
        group.MapDelete("/", async (FeatureCall call, DefinitionService service) =>
        {
            GamificationAccess.RequireServerOrAdmin(call);
            await service.RemoveLevelsAsync(call.Aborted);
            return TypedResults.NoContent();
        }).WithName("DeleteLevels").WithSummary("Remove the stored level curve (server/admin): the configured one applies again")
            .Produces(StatusCodes.Status204NoContent).Errors(401, 403, 404);
    }

    private static async Task<IResult> StoreAsync(FeatureCall call, DefinitionService service, int status)
    {
        GamificationAccess.RequireServerOrAdmin(call);
        return FeatureCall.Json(await service.StoreLevelsAsync(await call.BodyAsync(Default.LevelsRequest), call.Aborted), Default.LevelsView, status);
    }
}
