using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Hubbub.Core;
using Hubbub.Core.Connections;
using Hubbub.Core.Diagnostics;
using Hubbub.Server.Auth;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Realtime;

/// <summary>
/// Accepts a connection whose first request is a plain, authorized WebSocket upgrade of <c>/ws</c> right on the
/// connection, ahead of Kestrel's HTTP layer, and runs the socket on the connection's own pipes. Every other
/// connection, and every upgrade this does not accept (bad token, refused origin, shutting down, anything
/// unusual in the request), is handed on untouched: the HTTP layer and <see cref="WebSocketEndpoint"/> answer
/// it as they always have, errors included.
/// </summary>
/// <remarks>
/// Why: an upgraded HTTP request keeps Kestrel's whole HTTP/1.1 connection state (request and response headers,
/// body streams, the suspended request pipeline) for the socket's lifetime, about 6 KB of the 14 KB an idle
/// connection held (ClrMD census in bench/; 14.1 → 7.5 KB with this). Accepting here keeps only the transport's
/// pipes. Connections that start with TLS are handed on (this middleware runs outside Kestrel's TLS middleware
/// and sees a TLS handshake, not a request).
/// </remarks>
internal sealed class ConnectionLevelAccept(ConnectionDelegate next, IServiceProvider services)
{
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private Dependencies? _dependencies;

    /// <summary>
    /// Installs the middleware on every endpoint Kestrel opens; it hands every connection on when
    /// <see cref="HubbubOptions.ConnectionLevelAccept"/> is false (read when the first connection arrives, after
    /// all configuration sources are in).
    /// </summary>
    public static void AddTo(WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
            listen.Use(next => new ConnectionLevelAccept(next, listen.ApplicationServices).OnConnectionAsync)));
    }

    private Task OnConnectionAsync(ConnectionContext connection)
    {
        var dependencies = _dependencies ??= new Dependencies(services);
        return dependencies.Options.ConnectionLevelAccept && dependencies.AllowsAnyHost
            ? AcceptOrPassAsync(connection, dependencies)
            : next(connection);
    }

    private async Task AcceptOrPassAsync(ConnectionContext connection, Dependencies dependencies)
    {
        HeadOutcome outcome;
        HubbubUser? accepted;
        try
        {
            (outcome, accepted) = await ReadHeadAsync(connection, dependencies);
        }
        catch (IOException)
        {
            return; // reset by the client before its upgrade was answered; Kestrel closes the connection
        }
        if (outcome == HeadOutcome.Pass)
        {
            await next(connection);
            return;
        }
        if (outcome == HeadOutcome.TimedOut)
        {
            // As Kestrel answers a request head that takes too long, but without handing the connection on, which
            // would give the client the HTTP layer's whole timeout again.
            await connection.Transport.Output.WriteAsync("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
            await connection.Transport.Output.CompleteAsync();
            await connection.Transport.Input.CompleteAsync();
            return;
        }

        var pipes = new TransportPipeStream(connection, TimeSpan.FromMilliseconds(dependencies.Options.SlowConsumerCloseGraceMs));
        var transport = new CoalescingStream(pipes);
        try
        {
            using var socket = WebSocket.CreateFromStream(transport, new WebSocketCreationOptions
            {
                IsServer = true,
                KeepAliveInterval = TimeSpan.FromMilliseconds(dependencies.Options.HeartbeatMs),
                KeepAliveTimeout = dependencies.Options.EffectiveClientTimeout,
            });
            HubbubMetrics.Upgrades.WithLabels("connection").Inc();
            // The engine ends the connection through the pipes (aborting it unless the close handshake completed).
            await dependencies.Engine.RunConnectionAsync(socket, accepted!, CancellationToken.None, transport, pipes);
        }
        finally
        {
            // Ended already, unless the engine failed before it could: then abort, nothing is left worth sending.
            await pipes.EndAsync(closeHandshakeCompleted: false);
        }
    }

    private enum HeadOutcome
    {
        /// <summary>Every byte left unconsumed and unexamined, so the HTTP layer's first read sees them at once.</summary>
        Pass,

        /// <summary>The head consumed and answered 101; the user is signed in.</summary>
        Accept,

        /// <summary>Kestrel's request headers timeout passed before a head of <c>/ws</c> was complete (or accepted).</summary>
        TimedOut,
    }

    /// <summary>Reads the connection's first request head and decides who answers it.</summary>
    private static async Task<(HeadOutcome Outcome, HubbubUser? User)> ReadHeadAsync(ConnectionContext connection, Dependencies dependencies)
    {
        var input = connection.Transport.Input;
        using var headTimeout = new CancellationTokenSource(dependencies.HeadTimeout);
        bool sawCancel = false, timedOut;
        HubbubUser? user = null;
        string? key = null;
        var registration = headTimeout.Token.UnsafeRegister(static state => ((PipeReader)state!).CancelPendingRead(), input);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                sawCancel |= result.IsCanceled;
                var buffer = result.Buffer;
                var parse = UpgradeRequestHead.TryParse(buffer, out var head);
                if (parse == UpgradeParse.NeedMore && !result.IsCompleted && !result.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }
                if (parse == UpgradeParse.Parsed)
                {
                    user = await AuthorizeAsync(head!, connection, dependencies);
                    key = head!.Key;
                }
                // Consumed up to the head's end when accepted (bytes a client sent after it are the socket's).
                input.AdvanceTo(user is null ? buffer.Start : buffer.GetPosition(head!.Length));
                break;
            }
        }
        finally
        {
            // False when the timeout's callback ran (or is running: DisposeAsync waits for it).
            timedOut = !registration.Unregister();
            await registration.DisposeAsync();
        }
        if (timedOut && !sawCancel)
        {
            // The timeout fired after the last read: take back its pending cancel so it cannot end the next
            // reader's (the HTTP layer's, or the socket's) first read.
            var pending = await input.ReadAsync();
            input.AdvanceTo(pending.Buffer.Start);
        }
        if (user is null)
        {
            // Not handed on once the timeout fired: a connection whose pending read was cancelled here did not get
            // the HTTP layer's own headers timeout in a test, and the head took too long anyway.
            return (timedOut ? HeadOutcome.TimedOut : HeadOutcome.Pass, null);
        }
        WriteSwitchingProtocols(connection.Transport.Output, key!);
        await connection.Transport.Output.FlushAsync();
        return (HeadOutcome.Accept, user);
    }

    /// <summary>Who the upgrade signs in, or null when the HTTP layer must answer it (503, 403, 401).</summary>
    private static async Task<HubbubUser?> AuthorizeAsync(UpgradeRequestHead head, ConnectionContext connection, Dependencies dependencies)
    {
        // Endpoint defaults run outside an endpoint's TLS middleware, so a TLS connection's first bytes are a TLS
        // handshake that is never parsed as an upgrade; should this ever run inside it, the scheme is https.
        var https = connection.Features.Get<ITlsHandshakeFeature>() is not null;
        if (dependencies.Shutdown.IsStopping || !dependencies.Origins.IsAllowed(head.Origin, new HostString(head.Host), https))
        {
            return null;
        }
        return await dependencies.Authenticator.AuthenticateAsync(SocketAuthenticator.TokenOf(head.Query, head.Authorization));
    }

    private static void WriteSwitchingProtocols(PipeWriter output, string key)
    {
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 for the accept value; it proves a WebSocket server answered, nothing secret
        SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid), hash);
#pragma warning restore CA5350
        var response = $"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {Convert.ToBase64String(hash)}\r\n\r\n";
        var written = Encoding.ASCII.GetBytes(response, output.GetSpan(response.Length));
        output.Advance(written);
    }

    /// <summary>Resolved on the first connection: Kestrel builds its middleware before the services are final.</summary>
    private sealed class Dependencies(IServiceProvider services)
    {
        public HubbubEngine Engine { get; } = services.GetRequiredService<HubbubEngine>();

        public HubbubOptions Options { get; } = services.GetRequiredService<IOptions<HubbubOptions>>().Value;

        public OriginPolicy Origins { get; } = services.GetRequiredService<OriginPolicy>();

        public SocketAuthenticator Authenticator { get; } = services.GetRequiredService<SocketAuthenticator>();

        public Hosting.GracefulShutdown Shutdown { get; } = services.GetRequiredService<Hosting.GracefulShutdown>();

        /// <summary>
        /// False when <c>AllowedHosts</c> restricts the <c>Host</c> header: the HTTP layer's host filtering then
        /// judges every request, upgrades included, and this layer hands every connection on.
        /// </summary>
        public bool AllowsAnyHost { get; } = services.GetService<IOptions<HostFilteringOptions>>()?.Value.AllowedHosts is not { Count: > 0 } hosts
            || hosts.Contains("*");

        /// <summary>How long a connection may take to send its first request head: Kestrel's own limit for one.</summary>
        public TimeSpan HeadTimeout { get; } = services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.RequestHeadersTimeout;
    }
}
