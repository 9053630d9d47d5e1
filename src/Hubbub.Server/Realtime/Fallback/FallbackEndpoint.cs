using System.Text.Json;
using Hubbub.Core;
using Hubbub.Features.Kit.Http;
using Hubbub.Protocol;
using Hubbub.Server.Auth;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Realtime.Fallback;

/// <summary>
/// The HTTP fallback for clients whose network refuses WebSockets: <c>GET /ws/sse</c> opens a Server-Sent Events
/// stream that carries every server frame (the engine runs it as a connection, see <see cref="EventStreamSocket"/>),
/// and <c>POST /ws/sse/{session}</c> carries client frames to it, from any node (<see cref="FallbackSessions"/>).
/// Origin and token (or, with none, the connect proxy) are checked as on <c>/ws</c>, on the stream and on every <c>POST</c>.
/// </summary>
/// <remarks>A branch ahead of authentication, as <see cref="WebSocketEndpoint"/> is, and ahead of it: its <c>/ws</c> branch would take <c>/ws/sse</c>.</remarks>
public sealed class FallbackEndpoint
{
    private readonly HubbubEngine _engine;
    private readonly OriginPolicy _origins;
    private readonly DoorSignIn _signIn;
    private readonly FallbackSessions _sessions;
    private readonly FallbackOptions _options;
    private readonly HubbubOptions _hubbub;
    private readonly Hosting.GracefulShutdown _shutdown;

    private FallbackEndpoint(IServiceProvider services)
    {
        _engine = services.GetRequiredService<HubbubEngine>();
        _origins = services.GetRequiredService<OriginPolicy>();
        _signIn = new DoorSignIn(services);
        _sessions = services.GetRequiredService<FallbackSessions>();
        _options = services.GetRequiredService<IOptions<FallbackOptions>>().Value;
        _hubbub = services.GetRequiredService<IOptions<HubbubOptions>>().Value;
        _shutdown = services.GetRequiredService<Hosting.GracefulShutdown>();
    }

    /// <summary>Serves <c>/ws/sse</c>; call before <see cref="WebSocketEndpoint.Map"/>.</summary>
    public static IApplicationBuilder Map(IApplicationBuilder app)
    {
        var endpoint = new FallbackEndpoint(app.ApplicationServices);
        return app.Map("/ws/sse", sse => sse.Run(endpoint.HandleAsync));
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.HasValue ? request.Path.Value!.Trim('/') : string.Empty;
        if (!_options.Enabled || path.Contains('/', StringComparison.Ordinal))
        {
            await DoorSignIn.RefuseAsync(context, StatusCodes.Status404NotFound, ErrorCodes.NotFound, "no such endpoint");
            return;
        }
        if (!_origins.IsAllowed(request))
        {
            await DoorSignIn.RefuseAsync(context, StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "this origin may not open a Hubbub connection");
            return;
        }
        AllowCrossOrigin(context);
        if (HttpMethods.IsOptions(request.Method))
        {
            // A CORS preflight (an allowed origin posting JSON with a token): answered without a token.
            context.Response.Headers.AccessControlAllowMethods = "GET, POST";
            context.Response.Headers.AccessControlAllowHeaders = "Authorization, Content-Type";
            context.Response.Headers.AccessControlMaxAge = "600";
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        var stream = path.Length == 0;
        if (stream ? !HttpMethods.IsGet(request.Method) : !HttpMethods.IsPost(request.Method))
        {
            context.Response.Headers.Allow = stream ? "GET" : "POST";
            await DoorSignIn.RefuseAsync(context, StatusCodes.Status405MethodNotAllowed, ErrorCodes.BadRequest,
                stream ? "open the stream with GET /ws/sse" : "send frames with POST /ws/sse/{session}");
            return;
        }
        if (stream && _shutdown.IsStopping)
        {
            await DoorSignIn.RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.Internal, "the server is shutting down; reconnect later");
            return;
        }
        // No token at all: the app's backend signs the stream, and each post, in with its own session, as on /ws.
        var user = await _signIn.SignInAsync(context, Access.ConnectProxy.EventStream);
        if (user is null)
        {
            return;
        }
        if (stream)
        {
            await StreamAsync(context, user);
        }
        else
        {
            await PostAsync(context, user, path);
        }
    }

    /// <summary>Runs one fallback connection: the session event, then every frame the engine sends, until either side ends it.</summary>
    private async Task StreamAsync(HttpContext context, HubbubUser user)
    {
        var (ok, channels) = await DoorSignIn.ConnectChannelsAsync(context, _hubbub.MaxSubscriptionsAtConnect);
        if (!ok)
        {
            return;
        }
        try
        {
            await _sessions.ListenAsync();
        }
        catch (HubbubException ex)
        {
            await DoorSignIn.RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, ex.Code, ex.Message);
            return;
        }
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache, no-store, no-transform";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx and alike: pass events on as they come
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync();

        var socket = _sessions.Open(user.Id, context);
        using var stopComments = new CancellationTokenSource();
        Task? comments = null;
        try
        {
            await socket.WriteEventAsync("session",
                JsonSerializer.SerializeToUtf8Bytes(new SessionOpened(socket.Session), FallbackJsonContext.Default.SessionOpened));
            using var aborted = context.RequestAborted.Register(static s => ((EventStreamSocket)s!).PeerGone(), socket);
            comments = CommentLoopAsync(socket, stopComments.Token);
            await _engine.RunConnectionAsync(socket, user, CancellationToken.None, subscribe: channels);
        }
        catch (IOException)
        {
            // The client left before its session event went out.
        }
        finally
        {
            _sessions.Close(socket);
            await stopComments.CancelAsync();
            if (comments is not null)
            {
                await comments;
            }
            socket.Dispose();
        }
    }

    private async Task CommentLoopAsync(EventStreamSocket socket, CancellationToken stop)
    {
        var interval = _options.CommentIntervalMs;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(50, interval / 4)));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await socket.CommentIfQuietAsync(interval);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopped, or the client is gone (the engine finds out on its own next write or from the abort).
        }
    }

    /// <summary>Takes a <c>POST</c>ed frame or batch for a session, here or on its node: 202 once queued, the answers come on the stream.</summary>
    private async Task PostAsync(HttpContext context, HubbubUser user, string session)
    {
        var body = await ReadBodyAsync(context.Request);
        if (body is null)
        {
            await DoorSignIn.RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, ErrorCodes.TooLarge,
                $"the body is larger than {_options.MaxPostBytes} bytes");
            return;
        }
        var frames = FrameBatch.TrySplit(body.Value, _options.MaxFramesPerPost, _hubbub.MaxFrameBytes, out var refusal);
        if (frames is null)
        {
            await DoorSignIn.RefuseAsync(context, refusal.Status, refusal.Code, refusal.Message);
            return;
        }
        Hubbub.Core.Seams.RelayAnswer answer;
        try
        {
            answer = await _sessions.DeliverAsync(session, user.Id, body.Value);
        }
        catch (HubbubException ex)
        {
            await DoorSignIn.RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, ex.Code, ex.Message);
            return;
        }
        if (answer.Status != StatusCodes.Status202Accepted)
        {
            await DoorSignIn.RefuseAsync(context, answer.Status, answer.Code ?? ErrorCodes.Internal, answer.Message ?? "refused");
            return;
        }
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        await context.Response.WriteAsJsonAsync(new FramesAccepted(frames.Count), FallbackJsonContext.Default.FramesAccepted);
    }

    /// <summary>The body, or null when it is larger than allowed (said by Content-Length or found while reading).</summary>
    private async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request)
    {
        var max = _options.MaxPostBytes;
        if (request.ContentLength > max)
        {
            return null;
        }
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    /// <summary>An allowed foreign origin (checked before) may read the answers: CORS for <c>Auth:AllowedOrigins</c>.</summary>
    private static void AllowCrossOrigin(HttpContext context)
    {
        if (context.Request.Headers.Origin is { Count: > 0 } origin)
        {
            context.Response.Headers.AccessControlAllowOrigin = origin[0];
            context.Response.Headers.Vary = "Origin";
        }
    }
}
