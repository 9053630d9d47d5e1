using Hubbub.Core;

namespace Hubbub.Features.Kit.Http;

/// <summary>What every feature's REST API shares: refusals answered as <c>{"code","message"}</c>, and their OpenAPI entries.</summary>
public static class FeatureErrors
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

    /// <summary>An endpoint filter: a call with neither a valid token nor the server key is <c>unauthorized</c> (401).</summary>
    public static ValueTask<object?> RequireCaller(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var callers = context.HttpContext.RequestServices.GetRequiredService<Callers.CallerResolver>();
        return callers.IsAuthenticated(context.HttpContext)
            ? next(context)
            : ValueTask.FromResult<object?>(ApiResults.From(callers.Unauthenticated(context.HttpContext)));
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
