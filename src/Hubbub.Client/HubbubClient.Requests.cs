using System.Text.Json;
using Hubbub.Protocol;

namespace Hubbub.Client;

// Requests: every request gets an id and waits for its reply or error. While offline, requests wait in a bounded
// queue (oldest dropped first) and are sent in order once the connection is restored.
public sealed partial class HubbubClient
{
    private readonly Dictionary<long, PendingRequest> _pending = [];
    private readonly LinkedList<PendingRequest> _offline = new();
    private readonly Dictionary<string, HubbubSubscription> _subscriptions = new(StringComparer.Ordinal);
    private long _nextId;

    private static readonly JsonElement JsonNull = JsonDocument.Parse("null").RootElement.Clone();

    /// <summary>
    /// Sends any request that carries an id (core or feature command) and returns the reply's <c>data</c>.
    /// Throws <see cref="HubbubRequestException"/> with the server's <c>code</c> when it answers with an error,
    /// <see cref="HubbubConnectionException"/> when no answer can come.
    /// </summary>
    public Task<JsonElement> CallAsync(string type, JsonElement data, CancellationToken ct = default) =>
        CallAsync(type, data, CallOptions.Default, ct);

    /// <summary>
    /// <see cref="CallAsync(string, JsonElement, CancellationToken)"/> with <paramref name="options"/>: with
    /// <see cref="CallOptions.Queue"/> false a request made while not connected throws
    /// <see cref="HubbubConnectionException"/> (<see cref="HubbubConnectionException.NeverSent"/> true) at once instead
    /// of waiting in the offline queue, for commands that must never be sent late (a bid).
    /// </summary>
    public Task<JsonElement> CallAsync(string type, JsonElement data, CallOptions options, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(options);
        return SendAsync(type, null, data, ct, options.Queue);
    }

    /// <summary><see cref="CallAsync(string, JsonElement, CancellationToken)"/> with <paramref name="data"/> serialized by <see cref="HubbubClientOptions.JsonOptions"/>.</summary>
    public Task<JsonElement> CallAsync<T>(string type, T data, CancellationToken ct = default) =>
        CallAsync(type, JsonSerializer.SerializeToElement(data, _options.JsonOptions), CallOptions.Default, ct);

    /// <summary><see cref="CallAsync(string, JsonElement, CallOptions, CancellationToken)"/> with <paramref name="data"/> serialized by <see cref="HubbubClientOptions.JsonOptions"/>.</summary>
    public Task<JsonElement> CallAsync<T>(string type, T data, CallOptions options, CancellationToken ct = default) =>
        CallAsync(type, JsonSerializer.SerializeToElement(data, _options.JsonOptions), options, ct);

    /// <summary>
    /// Subscribes to <paramref name="channel"/> and waits for the server's answer (while offline: until connected).
    /// The subscription buffers its events for <see cref="HubbubSubscription.ReadAllAsync"/>.
    /// </summary>
    public Task<HubbubSubscription> SubscribeAsync(string channel, CancellationToken ct = default) => SubscribeAsync(channel, buffered: true, ct);

    /// <summary>
    /// Subscribes; with <paramref name="buffered"/> false, events go to <see cref="HubbubSubscription.Received"/> only
    /// (nothing is kept in memory for an enumerator that never reads).
    /// </summary>
    public async Task<HubbubSubscription> SubscribeAsync(string channel, bool buffered, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var subscription = new HubbubSubscription(this, channel, buffered);
        lock (_gate)
        {
            ThrowIfStoppedLocked();
            if (!_subscriptions.TryAdd(channel, subscription))
            {
                throw new InvalidOperationException($"already subscribed to '{channel}': keep using that subscription, or unsubscribe it first");
            }
            if (_ready is { } session)
            {
                SendLocked(SubscribeRequestFor(subscription), session);
            }
        }
        try
        {
            await subscription.Subscribed.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await UnsubscribeAsync(subscription, CancellationToken.None);
            throw;
        }
        return subscription;
    }

    /// <summary>Publishes <paramref name="data"/> on <paramref name="channel"/> as <paramref name="eventType"/> (default <c>message</c>); returns its offset.</summary>
    public async Task<long> PublishAsync(string channel, JsonElement data, string? eventType = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var request = JsonSerializer.SerializeToElement(new PublishRequest(channel, eventType, data), HubbubJsonContext.Default.PublishRequest);
        var reply = await SendAsync(MessageTypes.Publish, channel, request, ct);
        return reply.Deserialize(HubbubJsonContext.Default.PublishReply)?.Offset ?? 0;
    }

    /// <summary>Publishes <paramref name="data"/> serialized by <see cref="HubbubClientOptions.JsonOptions"/>; returns its offset.</summary>
    public Task<long> PublishAsync<T>(string channel, T data, string? eventType = null, CancellationToken ct = default) =>
        PublishAsync(channel, JsonSerializer.SerializeToElement(data, _options.JsonOptions), eventType, ct);

    /// <summary>A channel's latest publications (at most <paramref name="limit"/>, server default 100), or those after <paramref name="since"/>.</summary>
    public async Task<HubbubHistory> HistoryAsync(string channel, int? limit = null, StreamPosition? since = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var sinceElement = since is null ? JsonNull : JsonSerializer.SerializeToElement(since, HubbubJsonContext.Default.StreamPosition);
        var request = JsonSerializer.SerializeToElement(new HistoryRequest(channel, sinceElement, limit), HubbubJsonContext.Default.HistoryRequest);
        var reply = await SendAsync(MessageTypes.History, channel, request, ct);
        var epoch = reply.TryGetProperty("epoch"u8, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : "";
        var offset = reply.TryGetProperty("offset"u8, out var o) && o.TryGetInt64(out var n) ? n : 0;
        List<HubbubEvent> publications = [];
        if (reply.TryGetProperty("publications"u8, out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (ServerFrame.TryParse(JsonSerializer.SerializeToUtf8Bytes(item, HubbubJsonContext.Default.JsonElement)) is { } frame)
                {
                    publications.Add(new HubbubEvent(HubbubEventKind.Publication, frame.Channel ?? channel, frame.Type, frame.Offset, epoch, frame.Data, frame.From));
                }
            }
        }
        var truncated = reply.TryGetProperty("truncated"u8, out var t) && t.ValueKind == JsonValueKind.True;
        return new HubbubHistory(publications, offset, epoch) { Truncated = truncated };
    }

    /// <summary>Who is in <paramref name="channel"/> (one entry per user).</summary>
    public async Task<IReadOnlyList<PresenceMember>> PresenceAsync(string channel, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var request = JsonSerializer.SerializeToElement(new ChannelRequest(channel), HubbubJsonContext.Default.ChannelRequest);
        var reply = await SendAsync(MessageTypes.Presence, channel, request, ct);
        return reply.Deserialize(HubbubJsonContext.Default.PresenceReply)?.Members ?? [];
    }

    /// <summary>Tells the others in <paramref name="channel"/> that this user is (or stopped) typing. The server sends <c>false</c> itself 3 s after the last <c>true</c>.</summary>
    public Task TypingAsync(string channel, bool isTyping, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var request = JsonSerializer.SerializeToElement(new TypingRequest(channel, isTyping), HubbubJsonContext.Default.TypingRequest);
        return SendAsync(MessageTypes.Typing, channel, request, ct);
    }

    /// <summary>Shares this user's cursor in <paramref name="channel"/>: <paramref name="position"/> must serialize to a JSON object (e.g. <c>{x, y}</c>).</summary>
    public Task CursorAsync<T>(string channel, T position, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var element = position is JsonElement raw ? raw : JsonSerializer.SerializeToElement(position, _options.JsonOptions);
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("A cursor position must be a JSON object, e.g. { x, y }.", nameof(position));
        }
        return SendAsync(MessageTypes.Cursor, channel, ClientFrames.WithChannel(channel, element), ct);
    }

    internal async Task UnsubscribeAsync(HubbubSubscription subscription, CancellationToken ct)
    {
        bool online;
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue(subscription.Channel, out var current) || current != subscription)
            {
                subscription.Close(null);
                return;
            }
            _subscriptions.Remove(subscription.Channel);
            online = _ready is not null;
        }
        subscription.Close(null);
        if (!online)
        {
            return; // no socket: the server dropped the subscription with the last one
        }
        var request = JsonSerializer.SerializeToElement(new ChannelRequest(subscription.Channel), HubbubJsonContext.Default.ChannelRequest);
        try
        {
            await SendAsync(MessageTypes.Unsubscribe, subscription.Channel, request, ct);
        }
        catch (HubbubConnectionException)
        {
            // The connection went away meanwhile, and the server-side subscription with it.
        }
    }

    private async Task<JsonElement> SendAsync(string type, string? channel, JsonElement data, CancellationToken ct, bool queue = true)
    {
        ct.ThrowIfCancellationRequested();
        var id = Interlocked.Increment(ref _nextId);
        var pending = new PendingRequest(id, type, channel, ClientFrames.Request(type, id, data));
        if (ct.CanBeCanceled)
        {
            pending.Cancellation = ct.Register(() =>
            {
                lock (_gate)
                {
                    _pending.Remove(pending.Id);
                    _offline.Remove(pending);
                }
                pending.Cancel(ct);
            });
        }

        PendingRequest? dropped = null;
        lock (_gate)
        {
            ThrowIfStoppedLocked();
            if (pending.Task.IsCompleted)
            {
                // Cancelled before it was queued.
            }
            else if (_ready is { } session)
            {
                SendLocked(pending, session);
            }
            else if (!queue)
            {
                pending.Fail(new HubbubConnectionException($"not connected: '{type}' was not sent, and CallOptions.Queue = false keeps it from being sent later", neverSent: true));
            }
            else if (_options.OfflineQueueCapacity == 0)
            {
                pending.Fail(new HubbubConnectionException($"not connected, and the offline queue is off: '{type}' was not sent", neverSent: true));
            }
            else
            {
                if (_offline.Count >= _options.OfflineQueueCapacity)
                {
                    dropped = _offline.First!.Value;
                    _offline.RemoveFirst();
                }
                _offline.AddLast(pending);
            }
        }
        if (dropped is not null)
        {
            Log.Dropped(_logger, _options.OfflineQueueCapacity, dropped.Type);
            dropped.Fail(new HubbubConnectionException(
                $"'{dropped.Type}' was dropped unsent: the offline queue holds at most {_options.OfflineQueueCapacity} requests", neverSent: true));
            Raise(MessageDropped, new MessageDroppedEventArgs(dropped.Type, dropped.Channel));
        }
        return await pending.Task;
    }

    /// <summary>Writes a request to the socket and starts its reply timer. Caller holds <see cref="_gate"/>.</summary>
    private void SendLocked(PendingRequest pending, Session session)
    {
        if (Welcome?.Limits is { MaxFrameBytes: > 0 } limits && pending.Frame.Length > limits.MaxFrameBytes)
        {
            // The server would close the whole WebSocket (1009) and every request in flight would fail as lost, though this
            // one was certainly refused: it is refused here alone, unsent, with the code the server gives a too large body.
            pending.Fail(new HubbubRequestException(ErrorCodes.TooLarge,
                $"the frame is {pending.Frame.Length} bytes; this server takes frames of at most {limits.MaxFrameBytes} bytes (not sent)", pending.Type));
            return;
        }
        _pending[pending.Id] = pending;
        pending.SentOn = session;
        pending.Timer = _time.CreateTimer(static state =>
        {
            var (client, request) = ((HubbubClient, PendingRequest))state!;
            client.OnRequestTimeout(request);
        }, (this, pending), _options.RequestTimeout, Timeout.InfiniteTimeSpan);
        session.TryWrite(pending.Frame);
    }

    private void OnRequestTimeout(PendingRequest pending)
    {
        lock (_gate)
        {
            if (!_pending.Remove(pending.Id))
            {
                return;
            }
        }
        if (pending.Restorable)
        {
            // A subscription that cannot be restored on this socket would silently miss publications: start over.
            pending.SentOn?.Abort($"no reply to subscribe '{pending.Channel}' in time");
            pending.Detach();
        }
        else
        {
            pending.Fail(new HubbubConnectionException($"no reply to '{pending.Type}' within {_options.RequestTimeout.TotalSeconds:0.#} s"));
        }
    }

    private PendingRequest SubscribeRequestFor(HubbubSubscription subscription)
    {
        var id = Interlocked.Increment(ref _nextId);
        var data = JsonSerializer.SerializeToElement(new SubscribeRequest(subscription.Channel, subscription.Position), HubbubJsonContext.Default.SubscribeRequest);
        return new PendingRequest(id, MessageTypes.Subscribe, subscription.Channel, ClientFrames.Request(MessageTypes.Subscribe, id, data))
        {
            Restorable = true,
            OnReply = reply =>
            {
                if (reply.Deserialize(HubbubJsonContext.Default.SubscribeReply) is { } parsed)
                {
                    if (parsed.Recovered == false)
                    {
                        Log.ReloadRequired(_logger, subscription.Channel, HubbubEvent.NotRecovered);
                    }
                    subscription.OnSubscribed(parsed, ReportHandlerFailure);
                }
            },
            OnError = error =>
            {
                lock (_gate)
                {
                    if (_subscriptions.GetValueOrDefault(subscription.Channel) == subscription)
                    {
                        _subscriptions.Remove(subscription.Channel);
                    }
                }
                Log.RestoreFailed(_logger, subscription.Channel, error.Code);
                subscription.Close(error);
            },
        };
    }

    private void ThrowIfStoppedLocked()
    {
        if (_stopped || _disposing)
        {
            throw new HubbubConnectionException(_stopReason ?? "the client is closed");
        }
    }

    /// <summary>Terminal: fails every waiting request and ends every subscription stream.</summary>
    private void StopEverything(string reason, bool closeStreamsWithError)
    {
        List<PendingRequest> requests;
        List<HubbubSubscription> subscriptions;
        lock (_gate)
        {
            _stopped = true;
            _stopReason ??= reason;
            requests = [.. _pending.Values, .. _offline];
            _pending.Clear();
            _offline.Clear();
            subscriptions = [.. _subscriptions.Values];
            _subscriptions.Clear();
        }
        var error = new HubbubConnectionException(reason);
        foreach (var request in requests)
        {
            request.Fail(error);
        }
        foreach (var subscription in subscriptions)
        {
            subscription.Close(closeStreamsWithError ? error : null);
        }
        _firstConnected.TrySetException(error);
        _ = _firstConnected.Task.Exception; // observed: ConnectAsync may never have been called
    }
}
