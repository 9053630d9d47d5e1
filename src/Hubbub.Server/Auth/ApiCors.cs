using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Auth;

/// <summary>
/// CORS for the REST API (<c>/api/…</c>): a page served from an origin in <c>Auth:AllowedOrigins</c> — the list that
/// already lets its WebSocket in — may call the API with its JWT, and read the answers and errors. The token travels in
/// the <c>Authorization</c> header, never in a cookie, so no credentials mode is allowed: another site cannot borrow a
/// signed-in user's session. Same-origin pages (the console) need none of this; an origin not listed gets no CORS
/// headers, so the browser keeps the answer from it.
/// </summary>
internal static class ApiCors
{
    private const string Policy = "hubbub-api";

    /// <summary>Registers the policy, built from <see cref="AuthOptions.AllowedOrigins"/> (<c>*</c> allows any origin).</summary>
    public static IServiceCollection AddApiCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<AuthOptions>>((cors, auth) => cors.AddPolicy(Policy, policy =>
        {
            var origins = auth.Value.AllowedOrigins;
            if (origins.Contains("*"))
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins([.. origins.Select(o => o.TrimEnd('/'))]);
            }
            // Location names what a 201 created; a browser caches the preflight for ten minutes.
            policy.AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Location").SetPreflightMaxAge(TimeSpan.FromMinutes(10));
        }));
        return services;
    }

    /// <summary>Answers preflights and adds the CORS headers on <c>/api/…</c> (ahead of authentication: a 401 is readable too).</summary>
    public static IApplicationBuilder UseApiCors(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase), api => api.UseCors(Policy));
}
