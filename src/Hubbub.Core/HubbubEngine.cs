using System.Net.WebSockets;
using Hubbub.Core.Channels;
using Hubbub.Core.Connections;
using Hubbub.Core.Ephemeral;
using Hubbub.Core.Publishing;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hubbub.Core;

/// <summary>
/// The real-time engine of one node, as the host sees it. Transports hand it sockets (<see cref="RunConnectionAsync"/>);
/// the server API publishes through <see cref="PublishAsync"/>. It composes the engine's parts once per node and
/// does no work of its own: <see cref="ConnectionHost"/> runs the sockets, <see cref="FrameDispatcher"/> routes their
/// frames, <see cref="ChannelLifetime"/> starts and ends subscriptions and <see cref="ChannelRequests"/> serves the
/// other channel requests. It never knows which broker, history or presence implementation is behind the seams.
/// </summary>
public sealed class HubbubEngine : IDisposable
{
    private readonly IHistoryStore _history;
    private readonly ChannelPublisher _publisher;
    private readonly TypingTracker _typing;
    private readonly CursorCoalescer _cursors;
    private readonly ChannelLifetime _lifetime;
    private readonly ConnectionHost _host;

    /// <summary>Wires the engine to its seams.</summary>
    public HubbubEngine(IOptions<HubbubOptions> options, ChannelRules rules, SubscriberRegistry subscribers,
        ConnectionRegistry connections, IBroker broker, IHistoryStore history, IPresenceStore presence,
        Commands.CommandRegistry commands, IServiceProvider services, TimeProvider time, ILogger<HubbubEngine> logger,
        IEnumerable<IConnectionObserver>? observers = null)
    {
        var settings = options.Value;
        Rules = rules;
        Subscribers = subscribers;
        Connections = connections;
        _history = history;
        _publisher = new ChannelPublisher(options, rules, broker);
        NodeId = string.IsNullOrEmpty(settings.NodeId)
            ? $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}"
            : settings.NodeId;
        // Typing and cursors are node-wide state both a subscription's end (lifetime) and the requests touch.
        Func<string, EphemeralEvent, ValueTask> sendEphemeral = (channel, ephemeral) => broker.PublishEphemeralAsync(channel, ephemeral);
        _typing = new TypingTracker(time, TimeSpan.FromMilliseconds(settings.TypingTimeoutMs), sendEphemeral);
        _cursors = new CursorCoalescer(time, TimeSpan.FromMilliseconds(settings.CursorIntervalMs), sendEphemeral);
        // The parts share the engine's logger, so their logs keep the category they always had.
        _lifetime = new ChannelLifetime(settings, rules, subscribers, broker, history, presence, _typing, _cursors, time, logger);
        var requests = new ChannelRequests(settings, rules, _publisher, history, presence, _typing, _cursors, logger);
        var dispatcher = new FrameDispatcher(_lifetime, requests, commands, services, settings, logger);
        _host = new ConnectionHost(settings, connections, _lifetime, dispatcher, observers?.ToArray() ?? [], NodeId, time, logger);
    }

    /// <summary>This node's id.</summary>
    public string NodeId { get; }

    /// <summary>The channel namespaces and their rules.</summary>
    public ChannelRules Rules { get; }

    /// <summary>This node's subscriptions per channel.</summary>
    public SubscriberRegistry Subscribers { get; }

    /// <summary>This node's open connections.</summary>
    public ConnectionRegistry Connections { get; }

    /// <summary>
    /// Publishes on behalf of the server or a feature (no permission check: the caller decided). Validates the
    /// channel and event type, appends to history, and fans out. Returns the publication with its offset.
    /// </summary>
    public ValueTask<Publication> PublishAsync(string channel, string? eventType, ReadOnlyMemory<byte> data,
        ClientInfo? from = null, CancellationToken cancellationToken = default) =>
        _publisher.PublishAsync(channel, eventType, data, from, cancellationToken);

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
    /// returns, and the connection counts against its user's cap until then. <paramref name="subscribe"/> are the
    /// channels the client asked for in its connect: each is subscribed exactly as a <c>subscribe</c> frame without
    /// <c>since</c> would be, before the welcome, which carries each one's reply or refusal.
    /// </summary>
    public Task RunConnectionAsync(WebSocket socket, HubbubUser user, CancellationToken cancellationToken,
        CoalescingStream? transport = null, ITransportEnd? end = null, IReadOnlyList<string>? subscribe = null) =>
        _host.RunAsync(socket, user, transport, end, subscribe, cancellationToken);

    /// <summary>
    /// Closes every connection with <paramref name="code"/> and waits (bounded) for them to finish; those still open
    /// after <paramref name="wait"/> (a client that does not read its close frame) are aborted, so shutdown does not
    /// wait for them any longer.
    /// </summary>
    public Task CloseAllAsync(int code, string reason, TimeSpan wait) => _host.CloseAllAsync(code, reason, wait);

    /// <summary>
    /// Sends an application-level <c>ping</c> to every connection that has been quiet for a heartbeat, so
    /// clients (browsers cannot see WebSocket pings) can tell a live server from a dead one.
    /// </summary>
    /// <remarks>
    /// The pings go out in slices, each behind the sends of the one before, so the transport's buffers for them are
    /// not all taken at once. With <paramref name="spreadOver"/> the connections are visited in up to 64 groups with
    /// pauses between them spanning that time (the host gives it three quarters of the half heartbeat), so the WebSocket
    /// PINGs (and their PONGs) of an idle node do not all come at once.
    /// </remarks>
    public Task SendHeartbeatsAsync(TimeSpan spreadOver = default) => _host.SendHeartbeatsAsync(spreadOver);

    /// <summary>The sweep in <paramref name="groups"/> groups with <paramref name="betweenGroups"/> between two (tests).</summary>
    internal Task SendHeartbeatsInGroupsAsync(int groups, Func<ValueTask> betweenGroups) => _host.SendHeartbeatsInGroupsAsync(groups, betweenGroups);

    /// <inheritdoc />
    public void Dispose()
    {
        _lifetime.Dispose();
        _typing.Dispose();
        _cursors.Dispose();
        _host.Dispose();
    }
}
