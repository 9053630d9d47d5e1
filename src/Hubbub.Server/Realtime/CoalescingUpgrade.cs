using Hubbub.Core.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Hubbub.Server.Realtime;

/// <summary>
/// Puts a <see cref="CoalescingStream"/> under every WebSocket accepted on <c>/ws</c>. ASP.NET Core's WebSocket
/// middleware makes the socket on whatever stream the request's <see cref="IHttpUpgradeFeature"/> returns, so
/// wrapping that feature (before <c>UseWebSockets</c> reads it) is the one seam that keeps the framework's
/// handshake and framing while letting the connection's writer send several frames in one transport write.
/// </summary>
internal static class CoalescingUpgrade
{
    /// <summary>Wraps the upgrade feature of upgradable requests in this branch; must run before <c>UseWebSockets</c>.</summary>
    public static IApplicationBuilder UseCoalescingUpgrade(this IApplicationBuilder app) =>
        app.Use(static (context, next) =>
        {
            if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
            {
                context.Features.Set<IHttpUpgradeFeature>(new Feature(upgrade, context));
            }
            return next(context);
        });

    /// <summary>The stream the socket runs on, when the request was upgraded through the wrapper.</summary>
    public static CoalescingStream? TransportOf(HttpContext context) =>
        (context.Features.Get<IHttpUpgradeFeature>() as Feature)?.Transport;

    /// <summary>How the engine ends the request's TCP connection, when the request was upgraded through the wrapper.</summary>
    public static ITransportEnd? EndOf(HttpContext context) => context.Features.Get<IHttpUpgradeFeature>() as Feature;

    /// <remarks>
    /// Also the socket's <see cref="ITransportEnd"/>: one object per upgraded request either way. Its end runs while the
    /// request is still being handled (the engine calls it before the handler returns), so the context is still this
    /// request's.
    /// </remarks>
    private sealed class Feature(IHttpUpgradeFeature inner, HttpContext context) : IHttpUpgradeFeature, ITransportEnd
    {
        public CoalescingStream? Transport { get; private set; }

        /// <summary>
        /// Aborts the connection unless the close handshake completed: what the response still buffers would otherwise
        /// wait for a client that does not read. After a completed handshake the HTTP layer ends the connection when the
        /// handler returns.
        /// </summary>
        public ValueTask EndAsync(bool closeHandshakeCompleted)
        {
            if (!closeHandshakeCompleted)
            {
                context.Abort();
            }
            return ValueTask.CompletedTask;
        }

        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync()
        {
            Transport = new CoalescingStream(await inner.UpgradeAsync());
            return Transport;
        }
    }
}
