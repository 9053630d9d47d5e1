using System.Net.WebSockets;
using System.Security.Cryptography;
using Hubbub.Core.Channels;
using Hubbub.Core.Connections;
using Hubbub.Core.Diagnostics;
using Hubbub.Core.Ephemeral;
using Hubbub.Core.Publishing;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hubbub.Core;

/// <summary>
/// The real-time engine of one node. Transports hand it sockets (<see cref="RunConnectionAsync"/>); features
/// and the server API publish through <see cref="PublishAsync"/>. It never knows which broker, history or
/// presence implementation is behind the seams.
/// </summary>
public sealed partial class HubbubEngine : IDisposable
{
    private readonly HubbubOptions _options;
    private readonly IBroker _broker;
    private readonly IHistoryStore _history;
    private readonly IPresenceStore _presence;
    private readonly TimeProvider _time;
    private readonly ILogger<HubbubEngine> _logger;
    private readonly FrameDispatcher _dispatcher;
    // Made once: a method group converted per connection is a delegate each connection would keep for its lifetime.
    private readonly Func<ClientConnection, ReadOnlyMemory<byte>, ValueTask> _handleFrame;
    private readonly IConnectionObserver[] _observers;
    private readonly ChannelPublisher _publisher;

    /// <summary>Wires the engine to its seams.</summary>
    public HubbubEngine(IOptions<HubbubOptions> options, ChannelRules rules, SubscriberRegistry subscribers,
        ConnectionRegistry connections, IBroker broker, IHistoryStore history, IPresenceStore presence,
        Commands.CommandRegistry commands, IServiceProvider services, TimeProvider time, ILogger<HubbubEngine> logger,
        IEnumerable<IConnectionObserver>? observers = null)
    {
        _observers = observers?.ToArray() ?? [];
        _options = options.Value;
        Rules = rules;
        Subscribers = subscribers;
        Connections = connections;
        _broker = broker;
        _publisher = new ChannelPublisher(options, rules, broker);
        _history = history;
        _presence = presence;
        _time = time;
        _logger = logger;
        NodeId = string.IsNullOrEmpty(_options.NodeId)
            ? $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}"
            : _options.NodeId;
        Typing = new TypingTracker(time, TimeSpan.FromMilliseconds(_options.TypingTimeoutMs), SendEphemeralAsync);
        Cursors = new CursorCoalescer(time, TimeSpan.FromMilliseconds(_options.CursorIntervalMs), SendEphemeralAsync);
        _dispatcher = new FrameDispatcher(this, commands, services, _options, logger);
        _handleFrame = _dispatcher.HandleAsync;
        Subscribers.Evicted += OnEvicted;
    }

    /// <summary>This node's id.</summary>
    public string NodeId { get; }

    /// <summary>The channel namespaces and their rules.</summary>
    public ChannelRules Rules { get; }

    /// <summary>This node's subscriptions per channel.</summary>
    public SubscriberRegistry Subscribers { get; }

    /// <summary>This node's open connections.</summary>
    public ConnectionRegistry Connections { get; }

    internal TypingTracker Typing { get; }

    internal CursorCoalescer Cursors { get; }

    internal HubbubOptions Options => _options;

    /// <summary>
    /// Publishes on behalf of the server or a feature (no permission check: the caller decided). Validates the
    /// channel and event type, appends to history, and fans out. Returns the publication with its offset.
    /// </summary>
    public ValueTask<Publication> PublishAsync(string channel, string? eventType, ReadOnlyMemory<byte> data,
        ClientInfo? from = null, CancellationToken cancellationToken = default) =>
        _publisher.PublishAsync(channel, eventType, data, from, cancellationToken);

    internal ValueTask<Publication> PublishCheckedAsync(ChannelName channel, string? eventType, ReadOnlyMemory<byte> data,
        ClientInfo? from, CancellationToken cancellationToken) =>
        _publisher.PublishCheckedAsync(channel, eventType, data, from, cancellationToken);

    /// <summary>
    /// Ends every subscription of <paramref name="userId"/> to <paramref name="channel"/>, on every node: each gets
    /// <c>unsubscribed</c> with <paramref name="reason"/>, and presence and typing end as on a normal unsubscribe.
    /// Call it after revoking the user's access (left a conversation, removed from a room), so a subscription
    /// made while they had access stops receiving.
    /// </summary>
    public ValueTask RemoveUserFromChannelAsync(string userId, string channel, string reason, CancellationToken cancellationToken = default) =>
        _publisher.EndSubscriptionsAsync(userId, channel, reason, cancellationToken);

    /// <summary>Reads a channel's newest position.</summary>
    public ValueTask<StreamTop> GetTopAsync(string channel, CancellationToken cancellationToken = default) =>
        _history.GetTopAsync(channel, cancellationToken);

    /// <summary>
    /// Serves one accepted WebSocket until it closes: sends <c>welcome</c>, runs the reader and writer, and
    /// finally removes the connection's subscriptions and presence. Pass the stream the socket was made on as
    /// <paramref name="transport"/> when it is a <see cref="CoalescingStream"/>, so several queued frames are
    /// sent in one transport write; without it every frame is written on its own. Pass the door's hold on the TCP
    /// connection as <paramref name="end"/>: it is ended (aborted unless the close handshake completed) before this
    /// returns, and the connection counts against its user's cap until then.
    /// </summary>
    public async Task RunConnectionAsync(WebSocket socket, HubbubUser user, CancellationToken cancellationToken,
        CoalescingStream? transport = null, ITransportEnd? end = null)
    {
        var connection = new ClientConnection(NewConnectionId(), user, socket, transport, _options, _time, _logger);
        if (!Connections.TryAdd(connection, _options.MaxConnectionsPerUser))
        {
            Log.TooManyConnections(_logger, user.Id, _options.MaxConnectionsPerUser);
            connection.TryEnqueue(FrameWriter.Error(null, ErrorCodes.RateLimited,
                $"user already holds {_options.MaxConnectionsPerUser} connections"));
            connection.Close(CloseCodes.TooManyConnections, "too many connections");
            await connection.RunAsync(static (_, _) => ValueTask.CompletedTask, cancellationToken);
            await connection.FinishAsync();
            await EndTransportAsync(socket, end);
            return;
        }

        HubbubMetrics.Connections.Inc();
        HubbubMetrics.ConnectionsAccepted.Inc();
        Log.ConnectionOpened(_logger, connection.Id, user.Id);
        try
        {
            // Observers first: when the client reads its welcome, they know of the connection (a user is online).
            await NotifyAsync(connection, opened: true);
            connection.TryEnqueue(Welcome(connection));
            await connection.RunAsync(_handleFrame, cancellationToken);
        }
        finally
        {
            try
            {
                Connections.Remove(connection);
                HubbubMetrics.Connections.Dec();
                await CleanupAsync(connection);
                await NotifyAsync(connection, opened: false);
            }
            finally
            {
                try
                {
                    // A connection still waiting for its client's close frame no longer counts as open (hubbub_connections,
                    // presence, broadcasts)...
                    await connection.FinishAsync();
                    await EndTransportAsync(socket, end);
                }
                finally
                {
                    // ...but its user's cap counts it until its TCP connection is gone: a client that stops reading
                    // must not be able to hold more sockets (and their unsent bytes) than the cap by being cut off.
                    Connections.Release(connection);
                }
            }
        }
    }

    /// <summary>
    /// Ends the TCP connection under a finished socket: gracefully only when both close frames were exchanged;
    /// otherwise what the transport still buffers would wait for a client that does not read, holding the connection.
    /// </summary>
    private static ValueTask EndTransportAsync(WebSocket socket, ITransportEnd? end) =>
        end?.EndAsync(socket.State == WebSocketState.Closed) ?? ValueTask.CompletedTask;

    /// <summary>
    /// Closes every connection with <paramref name="code"/> and waits (bounded) for them to finish; those still open
    /// after <paramref name="wait"/> (a client that does not read its close frame) are aborted, so shutdown does not
    /// wait for them any longer.
    /// </summary>
    public async Task CloseAllAsync(int code, string reason, TimeSpan wait)
    {
        var open = Connections.All.ToList();
        Log.ShuttingDown(_logger, open.Count);
        foreach (var connection in open)
        {
            connection.Close(code, reason);
        }
        // Real time, not _time: shutdown must finish even when the domain clock is a test's fake one.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (Connections.Count > 0 && System.Diagnostics.Stopwatch.GetElapsedTime(started) < wait)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
        foreach (var connection in Connections.All)
        {
            connection.Abort();
        }
    }

    /// <summary>
    /// Sends an application-level <c>ping</c> to every connection that has been quiet for a heartbeat, so
    /// clients (browsers cannot see WebSocket pings) can tell a live server from a dead one.
    /// </summary>
    public void SendHeartbeats()
    {
        var interval = TimeSpan.FromMilliseconds(_options.HeartbeatMs);
        var now = _time.GetTimestamp();
        foreach (var connection in Connections.All)
        {
            if (_time.GetElapsedTime(connection.LastSentTimestamp, now) >= interval * 0.9)
            {
                connection.TryEnqueue(HeartbeatFrame);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Subscribers.Evicted -= OnEvicted;
        Typing.Dispose();
        Cursors.Dispose();
    }

    internal ChannelName ParseChannel(string? channel) => _publisher.Parse(channel);

    internal ValueTask SendEphemeralAsync(string channel, EphemeralEvent ephemeral) =>
        _broker.PublishEphemeralAsync(channel, ephemeral);

    private static readonly byte[] HeartbeatFrame = FrameWriter.Simple(MessageTypes.Ping, null, default);

    private byte[] Welcome(ClientConnection connection)
    {
        var data = new WelcomeData(connection.Id, connection.User.Id, connection.User.Name, _options.HeartbeatMs, NodeId,
            typeof(HubbubEngine).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            new WelcomeLimits(_options.MaxFrameBytes, _options.MaxSubscriptionsPerConnection, _options.MessagesPerSecond, _options.Burst));
        return FrameWriter.Simple(MessageTypes.Welcome, null, FrameWriter.Serialize(data, HubbubJsonContext.Default.WelcomeData));
    }

    private async Task CleanupAsync(ClientConnection connection)
    {
        foreach (var subscription in connection.Subscriptions.RemoveAll())
        {
            try
            {
                await RemoveSubscriptionAsync(subscription);
            }
            catch (Exception ex)
            {
                Log.CleanupFailed(_logger, ex, connection.Id);
            }
        }
    }

    private void OnEvicted(Subscription subscription)
    {
        if (!subscription.Connection.Subscriptions.TryRemove(subscription))
        {
            return; // already gone (unsubscribed or closed meanwhile)
        }
        // Called from the broker's delivery path: finish the removal (presence, broker interest) off that path.
        _ = Task.Run(async () =>
        {
            try
            {
                await RemoveSubscriptionAsync(subscription);
            }
            catch (Exception ex)
            {
                Log.CleanupFailed(_logger, ex, subscription.Connection.Id);
            }
        });
    }

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

    internal static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
