using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Hubbub.Core.Channels;
using Hubbub.Core.Diagnostics;
using Hubbub.Protocol;
using Microsoft.Extensions.Logging;

namespace Hubbub.Core.Connections;

/// <summary>
/// Runs this node's sockets: admits a connection against its user's cap, tells the connection observers, sends
/// <c>welcome</c>, hands each frame to the dispatcher, and once the socket is done ends its subscriptions and its
/// TCP connection. Also closes every connection at shutdown and sends heartbeats. One per engine.
/// </summary>
internal sealed class ConnectionHost : IConnectionLifecycle, IDisposable
{
    private static readonly byte[] HeartbeatFrame = FrameWriter.Simple(MessageTypes.Ping, null, default);

    private readonly HubbubOptions _options;
    private readonly ConnectionRegistry _connections;
    private readonly ChannelLifetime _channels;
    private readonly IConnectionObserver[] _observers;
    private readonly string _nodeId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ExpiryWatch _expiries;
    private readonly TransportBacklog _backlog = new();
    // Made once: a method group converted per connection is a delegate each connection would keep for its lifetime.
    private readonly Func<ClientConnection, ReadOnlyMemory<byte>, ValueTask> _handleFrame;
    // The welcome's part that is the same for every connection of this node, serialized once.
    private readonly WelcomeFrame _welcome;

    public ConnectionHost(HubbubOptions options, ConnectionRegistry connections, ChannelLifetime channels, FrameDispatcher dispatcher,
        IConnectionObserver[] observers, string nodeId, TimeProvider time, ILogger logger)
    {
        _options = options;
        _connections = connections;
        _channels = channels;
        _observers = observers;
        _nodeId = nodeId;
        _time = time;
        _logger = logger;
        _expiries = new ExpiryWatch(time);
        _handleFrame = dispatcher.HandleAsync;
        _welcome = new WelcomeFrame(options.HeartbeatMs, nodeId, HubbubVersion.Current,
            new WelcomeLimits(options.MaxFrameBytes, options.MaxSubscriptionsPerConnection, options.MessagesPerSecond, options.Burst));
    }

    /// <summary>Stops the token-expiry timer and the transport's meter listener.</summary>
    public void Dispose()
    {
        _expiries.Dispose();
        _backlog.Dispose();
    }

    /// <summary>Serves one accepted WebSocket until it closes (see <see cref="HubbubEngine.RunConnectionAsync"/>).</summary>
    /// <remarks>
    /// Not async: an admitted connection's task is the connection's own <see cref="ClientConnection.RunAsync"/>, which
    /// runs <see cref="IConnectionLifecycle.OpenedAsync"/> before its reader and
    /// <see cref="IConnectionLifecycle.EndedAsync"/> after it, so an idle connection keeps one pending state machine,
    /// not this method's too.
    /// </remarks>
    public Task RunAsync(WebSocket socket, HubbubUser user, CoalescingStream? transport, ITransportEnd? end,
        IReadOnlyList<string>? subscribe, CancellationToken cancellationToken)
    {
        ClientConnection connection;
        bool added;
        try
        {
            connection = new ClientConnection(NewConnectionId(), user, socket, transport, _options, _time, _logger)
            {
                TransportEnd = end,
                ConnectChannels = subscribe is { Count: > 0 } ? subscribe : null,
            };
            added = _connections.TryAdd(connection, _options.MaxConnectionsPerUser);
        }
        catch (Exception ex)
        {
            return FailedToStartAsync(socket, end, ExceptionDispatchInfo.Capture(ex));
        }
        if (!added)
        {
            return RefuseAsync(connection, cancellationToken);
        }

        HubbubMetrics.Connections.Inc();
        HubbubMetrics.ConnectionsAccepted.Inc();
        Log.ConnectionOpened(_logger, connection.Id, user.Id);
        return connection.RunAsync(_handleFrame, cancellationToken, this);
    }

    async ValueTask IConnectionLifecycle.OpenedAsync(ClientConnection connection)
    {
        // Observers first: when the client reads its welcome, they know of the connection (a user is online).
        await NotifyAsync(connection, opened: true);
        // Watched from before the welcome, so a client that read its welcome knows the watch is on.
        connection.WatchExpiry(TimeSpan.FromSeconds(_options.TokenExpiryGraceSeconds), _expiries);
        if (connection.ConnectChannels is not { } asked)
        {
            connection.TryEnqueue(Welcome(connection, null));
            return;
        }
        connection.ConnectChannels = null; // not kept for the connection's life
        // Subscribed before the welcome, which carries their replies, and activated only once it is queued: whatever
        // is published to them meanwhile waits in each subscription and follows the welcome, in order.
        var subscriptions = await _channels.StartAtConnectAsync(connection, asked, CancellationToken.None);
        connection.TryEnqueue(Welcome(connection, subscriptions));
        subscriptions.Activate();
    }

    async ValueTask IConnectionLifecycle.EndedAsync(ClientConnection connection)
    {
        try
        {
            _connections.Remove(connection);
            HubbubMetrics.Connections.Dec();
            await _channels.EndAllAsync(connection);
            await NotifyAsync(connection, opened: false);
        }
        finally
        {
            try
            {
                // A connection still waiting for its client's close frame no longer counts as open (hubbub_connections,
                // presence, broadcasts)...
                await connection.FinishAsync();
                await EndTransportAsync(connection);
            }
            finally
            {
                // ...but its user's cap counts it until its TCP connection is gone: a client that stops reading
                // must not be able to hold more sockets (and their unsent bytes) than the cap by being cut off.
                _connections.Release(connection);
            }
        }
    }

    /// <summary>A connection over its user's cap: told why, closed, and its TCP connection ended.</summary>
    private async Task RefuseAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        Log.TooManyConnections(_logger, connection.User.Id, _options.MaxConnectionsPerUser);
        connection.TryEnqueue(FrameWriter.Error(null, ErrorCodes.RateLimited,
            $"user already holds {_options.MaxConnectionsPerUser} connections"));
        connection.Close(CloseCodes.TooManyConnections, "too many connections");
        await connection.RunAsync(static (_, _) => ValueTask.CompletedTask, cancellationToken);
        await connection.FinishAsync();
        await EndTransportAsync(connection);
    }

    /// <summary>
    /// The connection could not be made: the door hands the TCP connection over with the socket, so it is ended here
    /// on this path too, and the failure is the returned task's.
    /// </summary>
    private static async Task FailedToStartAsync(WebSocket socket, ITransportEnd? end, ExceptionDispatchInfo failure)
    {
        socket.Abort();
        await (end?.EndAsync(closeHandshakeCompleted: false) ?? ValueTask.CompletedTask);
        failure.Throw();
    }

    /// <summary>Closes every connection, waits (bounded) for them, aborts the rest (see <see cref="HubbubEngine.CloseAllAsync"/>).</summary>
    public async Task CloseAllAsync(int code, string reason, TimeSpan wait)
    {
        var open = _connections.All.ToList();
        Log.ShuttingDown(_logger, open.Count);
        foreach (var connection in open)
        {
            connection.Close(code, reason);
        }
        // Real time, not _time: shutdown must finish even when the domain clock is a test's fake one.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (_connections.Count > 0 && System.Diagnostics.Stopwatch.GetElapsedTime(started) < wait)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
        foreach (var connection in _connections.All)
        {
            connection.Abort();
        }
    }

    /// <summary>
    /// Pings every connection quiet for (nearly) a heartbeat (see <see cref="HubbubEngine.SendHeartbeatsAsync"/>), one
    /// connection after another on the sweep's own thread, in groups spread over <paramref name="spreadOver"/> (none: all
    /// at once); after every <see cref="HeartbeatSlice"/> pings it waits until the transport has sent all but about two
    /// slices of them.
    /// </summary>
    public Task SendHeartbeatsAsync(TimeSpan spreadOver = default)
    {
        var groups = HeartbeatGroups(spreadOver);
        var pause = spreadOver / groups;
        return SendHeartbeatsInGroupsAsync(groups, groups == 1 ? static () => ValueTask.CompletedTask : () => new ValueTask(Task.Delay(pause)));
    }

    /// <summary>
    /// The groups a sweep spread over <paramref name="spreadOver"/> comes in: <see cref="MaxHeartbeatGroups"/>, or fewer
    /// so that the pauses between them are at least 10 ms (a timer's resolution); 1 for no spread.
    /// </summary>
    internal static int HeartbeatGroups(TimeSpan spreadOver) =>
        (int)Math.Clamp(spreadOver.TotalMilliseconds / 10, 1, MaxHeartbeatGroups);

    /// <summary>The sweep in <paramref name="groups"/> groups of the connections, <paramref name="betweenGroups"/> awaited between two.</summary>
    /// <remarks>
    /// <para>
    /// Groups: the sweep walks the connections once, as before, but after each 1/<paramref name="groups"/> of them it
    /// pauses, so the host's sweep every half heartbeat spans most of it, and each connection, at about the same place
    /// in every walk, is still visited every half heartbeat. What that spreads is the WebSocket keep-alive's PONGs: the
    /// PING goes with the sweep's <c>ping</c>, and each PONG's receive holds one of the transport's 4 KiB blocks until
    /// the reader has taken it; with every PING in one burst, all PONGs came back within a second or two and the pool kept
    /// its peak ("Idle connections: fifteenth pass" in docs/performance.md). One walk, not a walk per group: a walk of
    /// every connection in each of 64 groups cost an idle node's CPU nearly double ("sixteenth pass").
    /// </para>
    /// <para>
    /// Each ping's send rents one of the transport's 4 KiB blocks until the transport has written it to the socket, and
    /// the transport's memory pool keeps the blocks it rented at its peak (it gives back 1 % every 10 s while there is
    /// traffic). The transport writes on its own I/O queues, thread-pool work items. When the sweep queued a drain per
    /// connection, in slices of 256 that it only ordered behind the queued work, the drains ran on every worker ahead of
    /// those queues and the pool peaked at 700–3,700 blocks in a round of 10,000 pings (0.3–1.5 KiB per connection held,
    /// "Idle connections: eleventh pass" in docs/performance.md). Now the sweep is the only producer: each ping is written
    /// on its thread (a drain whose send has to wait, to a client not reading, goes on by itself), and after a slice it
    /// waits, a millisecond at a time, until the blocks rented in the process are at most two slices' more than when its
    /// group began (<see cref="TransportBacklog"/>). So the round's blocks are bounded whatever the number of connections
    /// or the machine's load. The waiting gives up after <see cref="HeartbeatWaitLimit"/> (a quarter of the heartbeat at
    /// most) per sweep, shared out among its groups, so a node busy with other traffic still pings every quiet connection
    /// in time.
    /// </para>
    /// </remarks>
    internal async Task SendHeartbeatsInGroupsAsync(int groups, Func<ValueTask> betweenGroups)
    {
        var interval = TimeSpan.FromMilliseconds(_options.HeartbeatMs);
        var quietMs = (long)(_options.HeartbeatMs * 0.9);
        var timeoutMs = (long)_options.EffectiveClientTimeout.TotalMilliseconds;
        var waitPerGroup = Math.Min(HeartbeatWaitLimit.TotalSeconds, interval.TotalSeconds / 4) / groups;
        var groupSize = Math.Max(1, (_connections.Count + groups - 1) / groups);
        long now = 0, ticks = 0, giveUpAt = 0, limit = 0;
        var visited = 0;
        var pauses = 0;
        var sent = 0;
        foreach (var connection in _connections.Open())
        {
            if (visited++ % groupSize == 0)
            {
                // At most groups - 1 pauses: connections opened during the walk (a burst after a sweep that began with
                // few) make more groups of the size counted at its start, and those go on without a pause, so the walk
                // never takes longer than its spread.
                if (visited > 1 && pauses++ < groups - 1)
                {
                    await betweenGroups();
                }
                now = _time.GetTimestamp();
                // The WebSocket keep-alive of connections that leave it to the engine, in real time as the socket's own was.
                ticks = Environment.TickCount64;
                // Real time, not _time: the wait is for the transport, and must end under a test's fake clock too.
                giveUpAt = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * waitPerGroup);
                limit = _backlog.RentedBytes + HeartbeatBacklogBytes;
                sent = 0;
            }
            if (connection.KeepAlive(ticks, quietMs, timeoutMs))
            {
                continue;
            }
            if (_time.GetElapsedTime(connection.LastSentTimestamp, now) >= interval * 0.9
                && connection.TryEnqueueAndSend(HeartbeatFrame)
                && ++sent % HeartbeatSlice == 0)
            {
                await _backlog.WaitAtMostAsync(limit, giveUpAt);
            }
        }
    }

    /// <summary>The most groups a heartbeat sweep comes in (see <see cref="SendHeartbeatsInGroupsAsync"/>).</summary>
    internal const int MaxHeartbeatGroups = 64;

    /// <summary>Pings the sweep writes before it waits for the transport (see <see cref="SendHeartbeatsAsync"/>).</summary>
    internal const int HeartbeatSlice = 64;

    /// <summary>The transport's blocks a sweep may have rented beyond those rented when it began: two slices' pings.</summary>
    internal const long HeartbeatBacklogBytes = 2 * HeartbeatSlice * 4096;

    /// <summary>The longest a sweep waits for the transport in all.</summary>
    internal static readonly TimeSpan HeartbeatWaitLimit = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Ends the TCP connection under a finished socket: gracefully only when both close frames were exchanged;
    /// otherwise what the transport still buffers would wait for a client that does not read, holding the connection.
    /// </summary>
    /// <summary>
    /// Ends the TCP connection: gracefully (what is buffered sent first, bounded) after a completed close handshake, or
    /// after the WebSocket layer failed the connection on bad input and its input was drained, so that layer's close
    /// frame (1002, 1007) is not thrown away with the connection; aborted otherwise.
    /// </summary>
    private static ValueTask EndTransportAsync(ClientConnection connection) =>
        connection.TransportEnd?.EndAsync(connection.SocketState == WebSocketState.Closed || connection.ClosedByLayerAndDrained)
        ?? ValueTask.CompletedTask;

    private byte[] Welcome(ClientConnection connection, ConnectSubscriptions? subscriptions) =>
        _welcome.For(connection.Id, connection.User.Id, connection.User.Name, connection.User.ExpiresAt?.ToUnixTimeSeconds(), subscriptions);

    private async ValueTask NotifyAsync(ClientConnection connection, bool opened)
    {
        foreach (var observer in _observers)
        {
            try
            {
                await (opened
                    ? observer.OnOpenedAsync(connection, CancellationToken.None)
                    : observer.OnClosedAsync(connection, CancellationToken.None));
            }
            catch (Exception ex)
            {
                Log.ObserverFailed(_logger, ex, observer.GetType().Name, connection.Id);
            }
        }
    }

    private static string NewConnectionId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
