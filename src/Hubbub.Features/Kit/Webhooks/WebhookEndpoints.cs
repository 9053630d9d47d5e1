using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Http;
using static Hubbub.Features.Kit.Webhooks.WebhooksJsonContext;

namespace Hubbub.Features.Kit.Webhooks;

/// <summary>The webhook admin API under <c>/api/webhooks</c>: the server (<c>X-Api-Key</c>) or an admin token only.</summary>
internal static class WebhookEndpoints
{
    public static void Map(RouteGroupBuilder webhooks)
    {
        webhooks.MapPost("/", CreateAsync).WithName("CreateWebhook")
            .WithSummary("Register an endpoint for event types (server or admin); the answer holds its signing secret")
            .Accepts<WebhookRequest>("application/json").Produces<WebhookView>(StatusCodes.Status201Created).Errors(400, 401, 403, 409, 413);
        webhooks.MapGet("/", ListAsync).WithName("ListWebhooks")
            .WithSummary("Every endpoint, without secrets (server or admin)").Produces<WebhookList>().Errors(401, 403);
        webhooks.MapGet("/{id}", GetAsync).WithName("GetWebhook")
            .WithSummary("One endpoint with its secret (server or admin)").Produces<WebhookView>().Errors(401, 403, 404);
        webhooks.MapPatch("/{id}", UpdateAsync).WithName("UpdateWebhook")
            .WithSummary("Change an endpoint's url, events, description or secret (server or admin)")
            .Accepts<WebhookRequest>("application/json").Produces<WebhookView>().Errors(400, 401, 403, 404, 413);
        webhooks.MapDelete("/{id}", DeleteAsync).WithName("DeleteWebhook")
            .WithSummary("Remove an endpoint and its deliveries (server or admin)").Produces(StatusCodes.Status204NoContent).Errors(401, 403, 404);
        webhooks.MapGet("/{id}/deliveries", DeliveriesAsync).WithName("ListWebhookDeliveries")
            .WithSummary("An endpoint's deliveries, newest first; ?state=pending|delivered|dead, ?before=next_cursor, ?limit=1..100 (server or admin)")
            .Produces<DeliveryList>().Errors(400, 401, 403, 404);
        webhooks.MapPost("/deliveries/{id}/replay", ReplayAsync).WithName("ReplayWebhookDelivery")
            .WithSummary("Send a dead delivery again, from a fresh run of attempts (server or admin)")
            .Produces<DeliveryView>().Errors(401, 403, 404, 409);
    }

    private static async Task<IResult> CreateAsync(FeatureCall call, WebhookService service)
    {
        call.RequireServerOrAdmin();
        var body = await call.BodyAsync(Default.WebhookRequest);
        return FeatureCall.Json(await service.CreateAsync(body, call.Aborted), Default.WebhookView, StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(FeatureCall call, WebhookService service)
    {
        call.RequireServerOrAdmin();
        return FeatureCall.Json(await service.ListAsync(call.Aborted), Default.WebhookList);
    }

    private static async Task<IResult> GetAsync(string id, FeatureCall call, WebhookService service)
    {
        call.RequireServerOrAdmin();
        return FeatureCall.Json(await service.GetAsync(id, call.Aborted), Default.WebhookView);
    }

    private static async Task<IResult> UpdateAsync(string id, FeatureCall call, WebhookService service)
    {
        call.RequireServerOrAdmin();
        var body = await call.BodyAsync(Default.WebhookRequest);
        return FeatureCall.Json(await service.UpdateAsync(id, body, call.Aborted), Default.WebhookView);
    }

    private static async Task<IResult> DeleteAsync(string id, FeatureCall call, WebhookService service)
    {
        call.RequireServerOrAdmin();
        await service.DeleteAsync(id, call.Aborted);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> DeliveriesAsync(string id, FeatureCall call, WebhookService service)
    {
        call.RequireServerOrAdmin();
        return FeatureCall.Json(await service.DeliveriesAsync(id, call.TextQuery("state"), call.PageCursor(), call.IntQuery("limit"), call.Aborted),
            Default.DeliveryList);
    }

    private static async Task<IResult> ReplayAsync(string id, FeatureCall call, WebhookService service)
    {
        call.RequireServerOrAdmin();
        return FeatureCall.Json(await service.ReplayAsync(id, call.Aborted), Default.DeliveryView);
    }
}
