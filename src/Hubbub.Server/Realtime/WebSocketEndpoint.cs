using Hubbub.Core;
using Hubbub.Server.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Realtime;

/// <summary>
/// <c>GET /ws</c>: checks the origin (403), the token (401), then upgrades and hands the socket to the engine.
/// Both refusals happen before the upgrade, so a browser never gets an open socket it may not have.
/// </summary>
public static class WebSocketEndpoint
{
    /// <summary>Maps <c>/ws</c>.</summary>
    public static IEndpointConventionBuilder MapHubbubWebSocket(this IEndpointRouteBuilder app) =>
        app.Map("/ws", HandleAsync).WithName("WebSocket").ExcludeFromDescription();

    private static async Task HandleAsync(HttpContext context, HubbubEngine engine, OriginPolicy origins,
        IOptions<HubbubOptions> options, Hosting.GracefulShutdown shutdown)
    {
        if (shutdown.IsStopping)
        {
            // A socket accepted after the 1001 sweep would hold shutdown open until the host's timeout; the
            // client retries with backoff and reaches another (or the restarted) node.
            await WriteRefusal(context, StatusCodes.Status503ServiceUnavailable, Hubbub.Protocol.ErrorCodes.Internal, "the server is shutting down; reconnect later");
            return;
        }
        if (!origins.IsAllowed(context.Request))
        {
            await WriteRefusal(context, StatusCodes.Status403Forbidden, "forbidden", "this origin may not open a Hubbub connection");
            return;
        }
        var auth = await context.AuthenticateAsync();
        if (!auth.Succeeded || auth.Principal is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteRefusal(context, StatusCodes.Status401Unauthorized, "unauthorized",
                "a valid token is required (access_token query parameter or Authorization: Bearer)");
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await WriteRefusal(context, StatusCodes.Status400BadRequest, "bad_request", "this endpoint accepts WebSocket upgrades only");
            return;
        }

        var o = options.Value;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = TimeSpan.FromMilliseconds(o.HeartbeatMs),
            KeepAliveTimeout = o.EffectiveClientTimeout,
        });
        await engine.RunConnectionAsync(socket, auth.Principal.ToHubbubUser(), context.RequestAborted,
            CoalescingUpgrade.TransportOf(context));
    }

    private static Task WriteRefusal(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new Api.ApiError(code, message), Api.ApiJsonContext.Default.ApiError);
    }
}
