using Hubbub.Features.Kit.Http;
using Hubbub.Core;
using Hubbub.Server.Auth;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Realtime;

/// <summary>
/// <c>GET /ws</c>: checks the origin (403), the token (401), the count of channels asked for at connect (400), then
/// upgrades and hands the socket to the engine. Every refusal happens before the upgrade, so a browser never gets an
/// open socket it may not have.
/// </summary>
/// <remarks>
/// A branch of its own ahead of the authentication and authorization middleware, not a routed endpoint: every
/// middleware a request passes stays suspended, with what it holds, for as long as the socket lives, and so does
/// the request's service scope once anything touches it. This branch passes only the upgrade wrapper and the
/// WebSocket middleware, resolves its services once, and checks the token with <see cref="SocketAuthenticator"/>.
/// </remarks>
public sealed class WebSocketEndpoint
{
    private readonly HubbubEngine _engine;
    private readonly OriginPolicy _origins;
    private readonly DoorSignIn _signIn;
    private readonly HubbubOptions _options;
    private readonly Hosting.GracefulShutdown _shutdown;

    private WebSocketEndpoint(IServiceProvider services)
    {
        _engine = services.GetRequiredService<HubbubEngine>();
        _origins = services.GetRequiredService<OriginPolicy>();
        _signIn = new DoorSignIn(services);
        _options = services.GetRequiredService<IOptions<HubbubOptions>>().Value;
        _shutdown = services.GetRequiredService<Hosting.GracefulShutdown>();
    }

    /// <summary>Serves <c>/ws</c>; call before <c>UseAuthentication</c>.</summary>
    public static IApplicationBuilder Map(IApplicationBuilder app)
    {
        var endpoint = new WebSocketEndpoint(app.ApplicationServices);
        return app.Map("/ws", ws =>
        {
            ws.UseCoalescingUpgrade();
            ws.UseWebSockets();
            ws.Run(endpoint.HandleAsync);
        });
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path.HasValue && context.Request.Path != "/")
        {
            // app.Map matches /ws/anything too; only /ws itself is the endpoint.
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        if (_shutdown.IsStopping)
        {
            // A socket accepted after the 1001 sweep would hold shutdown open until the host's timeout; the
            // client retries with backoff and reaches another (or the restarted) node.
            await DoorSignIn.RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, Hubbub.Protocol.ErrorCodes.Internal, "the server is shutting down; reconnect later");
            return;
        }
        if (!_origins.IsAllowed(context.Request))
        {
            await DoorSignIn.RefuseAsync(context, StatusCodes.Status403Forbidden, "forbidden", "this origin may not open a Hubbub connection");
            return;
        }
        // A plain GET (no upgrade) asks no connect proxy: it cannot become a connection either way.
        var user = await _signIn.SignInAsync(context, context.WebSockets.IsWebSocketRequest ? Access.ConnectProxy.WebSocket : null);
        if (user is null)
        {
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await DoorSignIn.RefuseAsync(context, StatusCodes.Status400BadRequest, "bad_request", "this endpoint accepts WebSocket upgrades only");
            return;
        }
        var (ok, channels) = await DoorSignIn.ConnectChannelsAsync(context, _options.MaxSubscriptionsAtConnect);
        if (!ok)
        {
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = TimeSpan.FromMilliseconds(_options.HeartbeatMs),
            KeepAliveTimeout = _options.EffectiveClientTimeout,
        });
        Hubbub.Core.Diagnostics.HubbubMetrics.Upgrades.WithLabels("http").Inc();
        // No RequestAborted token: it would allocate a registration per connection, and a socket whose peer is
        // gone fails its read anyway (shutdown closes sockets through the engine).
        // The engine aborts the connection through the upgrade wrapper unless the close handshake completed.
        await _engine.RunConnectionAsync(socket, user, CancellationToken.None, CoalescingUpgrade.TransportOf(context),
            CoalescingUpgrade.EndOf(context), channels);
    }
}
