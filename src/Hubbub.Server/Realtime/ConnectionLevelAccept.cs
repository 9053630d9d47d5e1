using System.Buffers;
using System.Buffers.Text;
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
            ? AcceptOrPassAsync(connection, dependencies).Unwrap()
            : next(connection);
    }

    /// <summary>
    /// Reads the head and returns what serves the connection from then on: the HTTP layer, nothing, or the engine. Why a
    /// task of a task: a method that awaited the engine would keep its state machine (184 bytes) alive for as long as
    /// the socket is open; the unwrapped task costs a third of it, and this method's state machine is gone once the
    /// head is answered.
    /// </summary>
    private async Task<Task> AcceptOrPassAsync(ConnectionContext connection, Dependencies dependencies)
    {
        HeadOutcome outcome;
        HubbubUser? accepted;
        List<string>? channels;
        try
        {
            (outcome, accepted, channels) = await ReadHeadAsync(connection, dependencies);
        }
        catch (IOException)
        {
            return Task.CompletedTask; // reset by the client before its upgrade was answered; Kestrel closes the connection
        }
        if (outcome == HeadOutcome.Pass)
        {
            return next(connection);
        }
        if (outcome is HeadOutcome.TimedOut or HeadOutcome.Silent)
        {
            // As Kestrel answers a request head that takes too long (408) and closes a connection that sends nothing
            // (without an answer), but without handing the connection on, which would start the HTTP layer's own
            // timeout afresh.
            if (outcome == HeadOutcome.TimedOut)
            {
                await connection.Transport.Output.WriteAsync("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
            }
            await connection.Transport.Output.CompleteAsync();
            await connection.Transport.Input.CompleteAsync();
            return Task.CompletedTask;
        }
        return RunSocket(connection, dependencies, accepted!, channels);
    }

    /// <summary>
    /// Runs the accepted socket on the connection's pipes. The engine ends the connection through the pipes (aborting it
    /// unless the close handshake completed) on every path, and the pipes dispose the socket once it is ended.
    /// </summary>
    private static Task RunSocket(ConnectionContext connection, Dependencies dependencies, HubbubUser user, List<string>? channels)
    {
        var pipes = new TransportPipeStream(connection, TimeSpan.FromMilliseconds(dependencies.Options.SlowConsumerCloseGraceMs));
        // The keep-alive is the engine's heartbeat sweep (CoalescingStream.KeepsAlive): the socket's own would be a timer
        // and its state per connection (about 240 bytes) and a transport write of its own for every PING.
        var transport = new CoalescingStream(pipes) { KeepsAlive = true };
        var socket = WebSocket.CreateFromStream(transport, new WebSocketCreationOptions
        {
            IsServer = true,
            KeepAliveInterval = TimeSpan.Zero,
        });
        pipes.DisposeWhenEnded(socket);
        HubbubMetrics.Upgrades.WithLabels("connection").Inc();
        return dependencies.Engine.RunConnectionAsync(socket, user, CancellationToken.None, transport, pipes, channels);
    }

    private enum HeadOutcome
    {
        /// <summary>Every byte left unconsumed and unexamined, so the HTTP layer's first read sees them at once.</summary>
        Pass,

        /// <summary>The head consumed and its 101 written (sent with the socket's first frame); the user is signed in.</summary>
        Accept,

        /// <summary>Kestrel's request headers timeout passed, counted from the first byte, before the head was complete.</summary>
        TimedOut,

        /// <summary>No byte arrived within Kestrel's keep-alive timeout, or the server began to stop before one did.</summary>
        Silent,
    }

    /// <summary>
    /// Reads the connection's first request head and decides who answers it, on Kestrel's clock: the first byte may
    /// take the keep-alive timeout, the head then the request headers timeout from that byte. A head this layer does
    /// not take is handed on at once when it was decided on the first bytes; one decided later, once part of the
    /// client's time is spent, only when the HTTP layer can answer it at once (<see cref="HeadArrival"/>), so the
    /// client never gets more time than Kestrel alone would give it.
    /// </summary>
    private static async Task<(HeadOutcome Outcome, HubbubUser? User, List<string>? Channels)> ReadHeadAsync(ConnectionContext connection,
        Dependencies dependencies)
    {
        var input = connection.Transport.Input;
        var parser = new UpgradeHeadParser(dependencies.Limits);
        HeadArrival? leftToHttp = null;
        using var timeout = new CancellationTokenSource(AsDelay(dependencies.FirstByteTimeout));
        var timeoutRegistration = timeout.Token.UnsafeRegister(CancelPendingRead, input);
        var stopping = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        var stoppingRegistration = stopping.UnsafeRegister(CancelPendingRead, input);
        var started = false;
        HeadOutcome outcome;
        HubbubUser? user = null;
        List<string>? channels = null;
        UpgradeRequestHead? head = null;
        ReadOnlySequence<byte> buffer;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                buffer = result.Buffer;
                var firstBytes = false;
                if (!started)
                {
                    if (buffer.IsEmpty)
                    {
                        if (result.IsCompleted || timeout.IsCancellationRequested || stopping.IsCancellationRequested)
                        {
                            // Gone without a byte (the HTTP layer ends it quietly), or silent for too long, or stopping.
                            outcome = result.IsCompleted ? HeadOutcome.Pass : HeadOutcome.Silent;
                            break;
                        }
                        input.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                    }
                    if (timeout.IsCancellationRequested)
                    {
                        outcome = HeadOutcome.Silent; // the first byte came as the keep-alive timeout passed
                        break;
                    }
                    // A head under way is read to its end however the server is doing, as Kestrel does.
                    started = firstBytes = true;
                    timeout.CancelAfter(AsDelay(dependencies.HeadTimeout));
                    await stoppingRegistration.DisposeAsync();
                }

                if (leftToHttp is null)
                {
                    var parse = parser.Read(buffer, out head);
                    if (parse == UpgradeParse.Parsed)
                    {
                        // Too many channels asked for at connect: the HTTP layer refuses it (400), as every other refusal.
                        user = ConnectChannels.TryRead(head!.QueryMemory, dependencies.Options.MaxSubscriptionsAtConnect, out channels, out _)
                            ? await AuthorizeAsync(head, connection, dependencies)
                            : null;
                        outcome = user is null ? HeadOutcome.Pass : HeadOutcome.Accept;
                        break;
                    }
                    if (parse == UpgradeParse.NotHandled)
                    {
                        if (firstBytes)
                        {
                            outcome = HeadOutcome.Pass; // decided at once: the HTTP layer's clock starts when ours would have
                            break;
                        }
                        leftToHttp = new HeadArrival(dependencies.Limits);
                    }
                }
                if (result.IsCompleted || (leftToHttp is not null && leftToHttp.IsComplete(buffer)))
                {
                    outcome = HeadOutcome.Pass;
                    break;
                }
                if (timeout.IsCancellationRequested)
                {
                    outcome = HeadOutcome.TimedOut;
                    break;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
            }
            // Consumed up to the head's end when accepted (bytes a client sent after it are the socket's); otherwise
            // nothing consumed or examined, so the next reader sees every byte at once.
            input.AdvanceTo(outcome == HeadOutcome.Accept ? buffer.GetPosition(head!.Length) : buffer.Start);
        }
        finally
        {
            // Waits for a callback still running, so no cancel can come after this.
            await timeoutRegistration.DisposeAsync();
            await stoppingRegistration.DisposeAsync();
        }
        // A timeout that fired after the last read left a cancel pending, which would end the next reader's (the HTTP
        // layer's, or the socket's) first read: take it back, leaving every byte where it is.
        if (input.TryRead(out var pending))
        {
            input.AdvanceTo(pending.Buffer.Start);
        }
        if (outcome == HeadOutcome.Accept)
        {
            // Written, not flushed: the socket's first write (the welcome once the open steps are done, or the close of
            // a refused connection) sends the 101 with it, one send and one TCP segment where there were two, and the
            // client's first read gets both (docs/performance.md, seventh pass). A client learns nothing from a 101
            // before its welcome, and a connection that is aborted before writing anything never needed it.
            WriteSwitchingProtocols(connection.Transport.Output, head!.Key);
        }
        return (outcome, user, channels);
    }

    private static void CancelPendingRead(object? input) => ((PipeReader)input!).CancelPendingRead();

    /// <summary>A Kestrel limit as a timer's delay: <see cref="Timeout.InfiniteTimeSpan"/> and very long ones never fire.</summary>
    private static TimeSpan AsDelay(TimeSpan limit) => limit <= TimeSpan.Zero || limit > TimeSpan.FromDays(24) ? Timeout.InfiniteTimeSpan : limit;
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
        return await dependencies.Authenticator.AuthenticateAsync(SocketAuthenticator.TokenOf(head.QueryMemory, head.Authorization));
    }

    /// <summary>
    /// Writes the 101 answering <paramref name="key"/> (24 characters: <see cref="UpgradeHeadParser"/> admits no other)
    /// straight into <paramref name="output"/>: its constant part, the accept value and the blank line, as bytes.
    /// </summary>
    private static void WriteSwitchingProtocols(PipeWriter output, string key)
    {
        Span<byte> keyed = stackalloc byte[key.Length + WebSocketGuid.Length];
        var keyLength = Encoding.ASCII.GetBytes(key, keyed);
        Encoding.ASCII.GetBytes(WebSocketGuid, keyed[keyLength..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 for the accept value; it proves a WebSocket server answered, nothing secret
        SHA1.HashData(keyed, hash);
#pragma warning restore CA5350
        var head = SwitchingProtocolsHead;
        var span = output.GetSpan(head.Length + AcceptLength + HeadEnd.Length);
        head.CopyTo(span);
        Base64.EncodeToUtf8(hash, span[head.Length..], out _, out var accept);
        HeadEnd.CopyTo(span[(head.Length + accept)..]);
        output.Advance(head.Length + accept + HeadEnd.Length);
    }

    private static ReadOnlySpan<byte> SwitchingProtocolsHead =>
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: "u8;

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    /// <summary>The base64 of a SHA-1 hash: 20 bytes, 28 characters.</summary>
    private const int AcceptLength = 28;

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

        /// <summary>How long a connection may take to send its first request head from its first byte: Kestrel's limit.</summary>
        public TimeSpan HeadTimeout => Kestrel.RequestHeadersTimeout;

        /// <summary>How long a new connection may stay silent: Kestrel's keep-alive timeout, which it applies before a first request too.</summary>
        public TimeSpan FirstByteTimeout => Kestrel.KeepAliveTimeout;

        /// <summary>Kestrel's limits on a request head, which a head accepted here keeps below.</summary>
        public HeadLimits Limits { get; } = HeadLimits.From(services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits);

        private KestrelServerLimits Kestrel { get; } = services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
    }
}
