using System.Text.Json;
using Hubbub.Core.Connections;
using Hubbub.Core.Diagnostics;
using Hubbub.Core.Ephemeral;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Microsoft.Extensions.Logging;

namespace Hubbub.Core.Channels;

/// <summary>
/// A subscription's life on this node, from the client's <c>subscribe</c> (rules, cap, registration, recovery from
/// history, join state, presence join) to its end (unsubscribe, eviction by <c>RemoveUserFromChannelAsync</c>, or
/// the connection closing): broker interest, typing, cursor and presence end with it. One per engine.
/// </summary>
internal sealed class ChannelLifetime : IDisposable
{
    private readonly HubbubOptions _options;
    private readonly ChannelRules _rules;
    private readonly SubscriberRegistry _subscribers;
    private readonly IBroker _broker;
    private readonly IHistoryStore _history;
    private readonly IPresenceStore _presence;
    private readonly TypingTracker _typing;
    private readonly CursorCoalescer _cursors;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ChannelLifetime(HubbubOptions options, ChannelRules rules, SubscriberRegistry subscribers, IBroker broker,
        IHistoryStore history, IPresenceStore presence, TypingTracker typing, CursorCoalescer cursors, TimeProvider time, ILogger logger)
    {
        _options = options;
        _rules = rules;
        _subscribers = subscribers;
        _broker = broker;
        _history = history;
        _presence = presence;
        _typing = typing;
        _cursors = cursors;
        _time = time;
        _logger = logger;
        _subscribers.Evicted += OnEvicted;
    }

    /// <summary>A <c>subscribe</c> frame: the subscription started, then its reply and what it buffered sent.</summary>
    public async ValueTask SubscribeAsync(ClientConnection connection, string? rawId, SubscribeRequest request, CancellationToken ct)
    {
        var started = await StartAsync(connection, request, ct);
        started.Subscription.Activate(FrameWriter.Reply(rawId, started.Reply, HubbubJsonContext.Default.SubscribeReply), started.Top, started.Recovered);
    }

    /// <summary>
    /// The channels a client asked for in its connect, each started exactly as a <c>subscribe</c> frame without
    /// <c>since</c> starts it (rules, proxies, cap, presence join), one after another; a refused channel is kept with
    /// its refusal and the others go on. None is activated: the welcome, which carries their replies, goes first.
    /// </summary>
    public async ValueTask<ConnectSubscriptions> StartAtConnectAsync(ClientConnection connection, IReadOnlyList<string> channels, CancellationToken ct)
    {
        var outcome = new ConnectSubscriptions(channels.Count);
        foreach (var channel in channels)
        {
            if (outcome.Has(channel))
            {
                continue;
            }
            try
            {
                outcome.Started(channel, await StartAsync(connection, new SubscribeRequest(channel, null), ct));
            }
            catch (HubbubException ex)
            {
                HubbubMetrics.Errors.WithLabels(ex.Code).Inc();
                outcome.Refused(channel, ex.Code, ex.Message, ex.Reason);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.RequestFailed(_logger, ex, MessageTypes.Subscribe, connection.Id);
                HubbubMetrics.Errors.WithLabels(ErrorCodes.Internal).Inc();
                outcome.Refused(channel, ErrorCodes.Internal, "the server failed to subscribe to this channel; try again", null);
            }
        }
        return outcome;
    }

    /// <summary>
    /// Starts a subscription up to its reply: checked, registered (buffering what is published from then on),
    /// recovered from history when asked, joined to presence. Not yet activated; a failure leaves nothing behind.
    /// </summary>
    private async ValueTask<StartedSubscription> StartAsync(ClientConnection connection, SubscribeRequest request, CancellationToken ct)
    {
        var channel = ChannelName.ParseOrRefuse(request.Channel, _options.MaxChannelLength);
        if (!await _rules.CanSubscribeAsync(AccessOf(connection, channel, request), ct))
        {
            throw HubbubException.Forbidden($"you may not subscribe to '{channel}'");
        }
        if (request.Since is { } since && (since.Offset < 0 || string.IsNullOrEmpty(since.Epoch)))
        {
            throw HubbubException.BadRequest("since needs a non-negative offset and an epoch");
        }
        if (connection.Subscriptions.Contains(channel.Value))
        {
            throw HubbubException.Conflict($"already subscribed to '{channel}'");
        }
        if (connection.Subscriptions.Count >= _options.MaxSubscriptionsPerConnection)
        {
            throw HubbubException.Forbidden($"a connection may hold at most {_options.MaxSubscriptionsPerConnection} subscriptions");
        }

        var presence = _rules.Find(channel.Namespace)!.Presence;
        var subscription = new Subscription(connection, channel.Value, presence);
        if (!connection.Subscriptions.TryAdd(subscription))
        {
            throw HubbubException.Conflict($"already subscribed to '{channel}'");
        }

        try
        {
            // Register first so nothing published from here on is missed; the subscription buffers it
            // until the reply and any recovered publications have been queued.
            if (_subscribers.Add(subscription))
            {
                await _broker.SubscribeAsync(channel.Value, ct);
            }
            // Asked again now that the subscription is registered: access withdrawn between the first check and the
            // registration (RemoveUserFromChannelAsync) was not seen by it, and would leave a subscription behind.
            if (!await _rules.CanSubscribeAsync(AccessOf(connection, channel, request), ct))
            {
                throw HubbubException.Forbidden($"you may not subscribe to '{channel}'");
            }

            IReadOnlyList<Publication> recovered = [];
            bool? wasRecovered = null;
            StreamTop top;
            if (request.Since is { } position)
            {
                var policy = _options.HistoryFor(channel.Namespace);
                var history = await _history.ReadAsync(channel.Value, position.Offset, position.Epoch,
                    Math.Max(policy.Size, 1), ct);
                top = history.Top;
                // Replayed only within the recovery budget: the replay is queued at once, and a larger one would hold
                // that much memory per connection (and close a client that reads as fast as it can as a slow consumer).
                // Beyond it the client is told, and pages what it missed with history.
                wasRecovered = history.Complete && FrameBytes(history.Publications) <= _options.MaxRecoveryBytes;
                if (wasRecovered == true)
                {
                    recovered = history.Publications;
                }
            }
            else
            {
                top = await _history.GetTopAsync(channel.Value, ct);
            }

            if (presence)
            {
                // Joined and announced before the reply is queued: a user who subscribes after reading this reply must
                // not hear this join (it did, when the announcement came after the reply and was slow, on a fresh node).
                // A failure here ends the subscription in the catch below, leave included, and answers one error.
                var joined = await _presence.AddAsync(channel.Value,
                    new PresenceEntry(connection.Id, connection.User.Id, connection.User.Name, _time.GetUtcNow()), ct);
                if (joined && _options.JoinLeaveFor(channel.Namespace))
                {
                    await _broker.PublishEphemeralAsync(channel.Value,
                        PresenceEvent(MessageTypes.PresenceJoin, channel.Value, connection.Info, connection.Id), CancellationToken.None);
                }
            }

            var reply = new SubscribeReply(top.Offset, top.Epoch, wasRecovered)
            {
                State = await JoinStateAsync(connection.User, channel, ct),
            };
            return new StartedSubscription(subscription, reply, top, recovered);
        }
        catch
        {
            // Not subscribed after all: a retry must not be refused as a duplicate, nor count toward the cap.
            connection.Subscriptions.TryRemove(subscription);
            await RemoveAsync(subscription);
            throw;
        }
    }

    public async ValueTask UnsubscribeAsync(ClientConnection connection, string? rawId, ChannelRequest request)
    {
        var channel = ChannelName.ParseOrRefuse(request.Channel, _options.MaxChannelLength);
        if (connection.Subscriptions.TryRemove(channel.Value, out var subscription))
        {
            await RemoveAsync(subscription);
        }
        connection.ReplyEmpty(rawId);
    }

    /// <summary>Ends every subscription of a connection that has closed; a failure ends the others all the same.</summary>
    public async Task EndAllAsync(ClientConnection connection)
    {
        foreach (var subscription in connection.Subscriptions.RemoveAll())
        {
            try
            {
                await RemoveAsync(subscription);
            }
            catch (Exception ex)
            {
                Log.CleanupFailed(_logger, ex, connection.Id);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _subscribers.Evicted -= OnEvicted;

    // Asked once the subscription is registered and confirmed, so the state cannot be older than what follows it.
    private async ValueTask<JsonElement?> JoinStateAsync(HubbubUser user, ChannelName channel, CancellationToken ct)
    {
        if (_rules.Find(channel.Namespace)?.JoinState is not { } joinState
            || await joinState(new ChannelAccess(user, channel), ct) is not { } state)
        {
            return null;
        }
        return JsonSerializer.Deserialize(state, HubbubJsonContext.Default.JsonElement);
    }

    private void OnEvicted(Subscription subscription)
    {
        if (!subscription.Connection.Subscriptions.TryRemove(subscription))
        {
            return; // already gone (unsubscribed or closed meanwhile)
        }
        // Off this node's subscribers at once, before its "unsubscribed" frame is queued: a publication made after the
        // client read that frame must not reach it (it did when the removal waited for the thread pool under load).
        // Called from the broker's delivery path: the rest of the removal (presence, broker interest) runs off that path.
        var wasLast = _subscribers.Remove(subscription);
        _ = Task.Run(async () =>
        {
            try
            {
                await EndAsync(subscription, wasLast);
            }
            catch (Exception ex)
            {
                Log.CleanupFailed(_logger, ex, subscription.Connection.Id);
            }
        });
    }

    /// <summary>What ends with a subscription already taken off its connection: broker interest, typing, presence, cursor.</summary>
    private ValueTask RemoveAsync(Subscription subscription) => EndAsync(subscription, _subscribers.Remove(subscription));

    /// <summary>What ends with a subscription off the node's subscribers (<paramref name="wasLast"/>: the channel's last here).</summary>
    private async ValueTask EndAsync(Subscription subscription, bool wasLast)
    {
        var channel = subscription.Channel;
        var connection = subscription.Connection;
        if (wasLast)
        {
            await _broker.UnsubscribeAsync(channel);
        }
        await _typing.StopIfTypingAsync(channel, connection.Info);
        if (subscription.Presence
            && await _presence.RemoveAsync(channel, connection.Id, connection.User.Id))
        {
            _cursors.Forget(channel, connection.User.Id);
            if (_options.JoinLeaveForChannel(channel))
            {
                await _broker.PublishEphemeralAsync(channel, PresenceEvent(MessageTypes.PresenceLeave, channel, connection.Info, connection.Id));
            }
        }
    }

    private static ChannelAccess AccessOf(ClientConnection connection, ChannelName channel, SubscribeRequest request) =>
        new(connection.User, channel) { ConnectionId = connection.Id, Data = request.Data };

    private static EphemeralEvent PresenceEvent(string type, string channel, ClientInfo user, string excludeConnection) =>
        new(FrameWriter.Presence(type, channel, user), null, excludeConnection);

    private static long FrameBytes(IReadOnlyList<Publication> publications)
    {
        long bytes = 0;
        foreach (var publication in publications)
        {
            bytes += publication.Frame.Length;
        }
        return bytes;
    }
}
