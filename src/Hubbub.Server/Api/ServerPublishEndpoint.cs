using Hubbub.Features.Kit.Http;
using System.Text.Json;
using Hubbub.Core;
using Hubbub.Protocol;
using Hubbub.Features.Kit.Callers;
using Hubbub.Server.Auth;
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
        IOptions<AuthOptions> auth, IOptions<HubbubOptions> options, CancellationToken cancellationToken)
    {
        // An admin's token publishes as the server (the console's Operator page, with no key in a browser). Anyone else
        // needs the key: a missing or wrong one is 401 as the protocol says, a member's token included; a member's
        // token beside a valid key is judged alone, as everywhere, and refused with 403.
        var user = identity.UserOf(context);
        if (user is not { IsAdmin: true })
        {
            if (!identity.HasServerKey(context))
            {
                var message = context.Request.Headers.ContainsKey(RequestIdentity.ApiKeyHeader)
                    ? RequestIdentity.WhyKeyRefused(auth.Value.ApiKey)
                    : string.IsNullOrEmpty(auth.Value.ApiKey)
                        ? "a valid X-Api-Key header is required, and " + RequestIdentity.WhyKeyRefused(null)
                        : user is not null
                            ? "a valid X-Api-Key header is required (a token publishes as the server only with role admin)"
                            : "a valid X-Api-Key header (or a token with role admin) is required";
                return Error(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, message);
            }
            if (user is not null)
            {
                return Error(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "publishing as the server needs X-Api-Key alone or a token with role admin");
            }
        }

        try
        {
            // The body is a publish frame's data ({channel, type?, data}): it nests as deep as every body (JsonBody.MaxDepth).
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
