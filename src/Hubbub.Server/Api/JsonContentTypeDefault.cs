using Microsoft.AspNetCore.Http.Features;

namespace Hubbub.Server.Api;

/// <summary>
/// Every REST body is JSON, so a body sent to <c>/api/…</c> without saying so is read as JSON: no Content-Type, or
/// the defaults of the usual tools — <c>application/x-www-form-urlencoded</c> (<c>curl -d</c>) and <c>text/plain</c>
/// (<c>fetch</c> with a string body). Without this, endpoints that declare a JSON body were refused by routing with 415
/// before they ran. A body that is not JSON is then refused by the endpoint with <c>bad_request</c>, saying why.
/// </summary>
/// <remarks>A startup filter, so it runs ahead of routing, which picks the endpoint by the request's Content-Type.</remarks>
internal sealed class JsonContentTypeDefault : IStartupFilter
{
    /// <inheritdoc />
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            Apply(context);
            return nextMiddleware(context);
        });
        next(app);
    };

    /// <summary>Declares an <c>/api</c> request's undeclared (or form/text-declared) body JSON.</summary>
    internal static void Apply(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api") || context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != true)
        {
            return;
        }
        var declared = request.ContentType;
        if (string.IsNullOrWhiteSpace(declared)
            || declared.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || declared.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            request.ContentType = "application/json";
        }
    }
}
