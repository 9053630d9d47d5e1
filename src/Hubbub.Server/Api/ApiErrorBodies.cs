using Hubbub.Features.Kit.Http;
using Hubbub.Protocol;
using Microsoft.AspNetCore.Diagnostics;

namespace Hubbub.Server.Api;

/// <summary>
/// Gives every error of the REST API (<c>/api/…</c>) the protocol's body <c>{"code","message"}</c>, also where the
/// framework answers with a bare status: 415 when a feature endpoint gets a body that is not declared JSON
/// (routing refuses it before the endpoint runs), 404 and 405 for unknown paths and methods, 403 of the
/// authorization middleware, and 500 for an exception nothing else caught (logged by the framework).
/// </summary>
internal static class ApiErrorBodies
{
    /// <summary>Adds the handlers for <c>/api</c> requests; call after the <c>/ws</c> branch, so sockets pass none of it.</summary>
    public static WebApplication UseApiErrorBodies(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api =>
        {
            api.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteInternalAsync });
            api.UseStatusCodePages(context => WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode));
        });
        return app;
    }

    private static Task WriteInternalAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status500InternalServerError);

    private static Task WriteAsync(HttpContext context, int status)
    {
        var (code, message) = Describe(status);
        return context.Response.WriteAsJsonAsync(new ApiError(code, message), KitHttpJsonContext.ErrorBody);
    }

    private static (string Code, string Message) Describe(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => (ErrorCodes.Unauthorized, "a valid token is required (Authorization: Bearer or access_token)"),
        StatusCodes.Status403Forbidden => (ErrorCodes.Forbidden, "you may not do this"),
        StatusCodes.Status404NotFound => (ErrorCodes.NotFound, "no such endpoint"),
        StatusCodes.Status405MethodNotAllowed => (ErrorCodes.BadRequest, "this endpoint does not take that method"),
        StatusCodes.Status413PayloadTooLarge => (ErrorCodes.TooLarge, "the body is too large"),
        StatusCodes.Status415UnsupportedMediaType => (ErrorCodes.BadRequest, "the body must be JSON, sent with Content-Type: application/json"),
        StatusCodes.Status429TooManyRequests => (ErrorCodes.RateLimited, "too many requests; slow down"),
        >= 500 => (ErrorCodes.Internal, "the server failed; the request may be retried"),
        _ => (ErrorCodes.BadRequest, "the request is malformed"),
    };
}
