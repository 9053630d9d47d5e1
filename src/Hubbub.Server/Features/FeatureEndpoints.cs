using Hubbub.Core;
using Hubbub.Server.Api;

namespace Hubbub.Server.Features;

/// <summary>What every feature's REST API shares: refusals answered as <c>{"code","message"}</c>, and their OpenAPI entries.</summary>
internal static class FeatureEndpoints
{
    /// <summary>Declares that the endpoint may answer these statuses with an <see cref="ApiError"/>.</summary>
    public static RouteHandlerBuilder Errors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.Produces<ApiError>(status);
        }
        return builder;
    }

    /// <summary>An endpoint filter: a service's <see cref="HubbubException"/> becomes the status and body of its code.</summary>
    public static async ValueTask<object?> RefusalsAsErrors(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (HubbubException ex)
        {
            return ApiResults.From(ex);
        }
    }
}
