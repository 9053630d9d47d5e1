using Hubbub.Features.Kit.Http;
using System.Text.Json;
using Hubbub.Core;
using Hubbub.Protocol;
using Hubbub.Features.Kit.Callers;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Api;

/// <summary>
/// <c>POST /api/publish</c> with <c>X-Api-Key</c> (or a token with role <c>admin</c>, as the console's operator page
/// sends): lets any backend push an event to a channel without speaking WebSocket. The server may publish on every
/// channel, including <c>user:</c> and feature ones; the publication has no <c>from</c>.
/// </summary>
public static class ServerPublishEndpoint
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointConventionBuilder MapServerPublish(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/publish", HandleAsync)
            .WithName("ServerPublish")
            .WithSummary("Publish an event on a channel (server API, X-Api-Key)")
            .Produces<PublishReply>()
            .Produces<ApiError>(StatusCodes.Status400BadRequest)
            .Produces<ApiError>(StatusCodes.Status401Unauthorized)
            .Produces<ApiError>(StatusCodes.Status403Forbidden)
            .Produces<ApiError>(StatusCodes.Status413PayloadTooLarge);

    private static async Task<IResult> HandleAsync(HttpContext context, HubbubEngine engine, IRequestIdentity identity,
        IOptions<HubbubOptions> options, CancellationToken cancellationToken)
    {
        // A token is judged alone, as everywhere: a member's token is refused even with a key beside it.
        if (identity.UserOf(context) is { } user)
        {
            if (!user.IsAdmin)
            {
                return Error(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "publishing as the server needs X-Api-Key or a token with role admin");
            }
        }
        else if (!identity.HasServerKey(context))
        {
            return Error(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "a valid X-Api-Key header (or a token with role admin) is required");
        }

        try
        {
            var request = await JsonBody.ReadAsync(context.Request, ApiJsonContext.Default.ServerPublishRequest,
                options.Value.MaxFrameBytes, cancellationToken);
            if (request.Channel is null || request.Data.ValueKind == JsonValueKind.Undefined)
            {
                return Error(StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, "the body needs 'channel' and 'data': {\"channel\", \"type\"?, \"data\"}");
            }
            var data = JsonBody.Utf8Of(request.Data, "data");
            var publication = await engine.PublishAsync(request.Channel, request.Type, data, null, cancellationToken);
            return TypedResults.Json(new PublishReply(publication.Offset), ApiJsonContext.Default.PublishReply);
        }
        catch (HubbubException ex)
        {
            return Error(ApiResults.StatusOf(ex.Code), ex.Code, ex.Message);
        }
    }

    private static IResult Error(int status, string code, string message) =>
        TypedResults.Json(new ApiError(code, message), KitHttpJsonContext.ErrorBody, statusCode: status);
}
