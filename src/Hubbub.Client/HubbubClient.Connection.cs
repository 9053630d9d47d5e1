using System.Net.WebSockets;
using System.Text.Json;
using Hubbub.Protocol;

namespace Hubbub.Client;

// The connection loop: connect, wait for welcome, restore, read until the socket ends, then back off and
// try again — or stop for good when the server says "don't reconnect". One reader loop per socket lives here.
public sealed partial class HubbubClient
{
    private Session? _current; // the open socket, welcomed or not
    private Session? _ready;   // the socket requests may be written to: welcomed, subscriptions restored, queue flushed

    private readonly record struct Outcome(bool Welcomed, bool Terminal, int? CloseCode, string? Reason, Exception? Error);

    private async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                SetState(ConnectionState.Connecting);
                var outcome = await RunConnectionAsync(stop);
                if (IsDisposing)
                {
                    return;
                }
                if (outcome.Terminal)
                {
                    var reason = outcome.Reason ?? $"the server closed with {outcome.CloseCode}";
                    Log.Stopped(_logger, reason);
                    StopEverything(reason, closeStreamsWithError: true);
                    SetState(ConnectionState.Stopped, closeCode: outcome.CloseCode, reason: reason, exception: outcome.Error);
                    return;
                }
                if (outcome.Welcomed)
                {
                    Log.Disconnected(_logger, outcome.CloseCode, outcome.Reason);
                    SetState(ConnectionState.Disconnected, closeCode: outcome.CloseCode, reason: outcome.Reason, exception: outcome.Error);
                }
                else if (outcome.Error is not null)
                {
                    Log.AttemptFailed(_logger, outcome.Error);
                }

                var (delay, circuitOpen) = _policy.Failed();
                if (circuitOpen)
                {
                    Log.CircuitOpen(_logger, _policy.Failures, delay.TotalMilliseconds);
                    SetState(ConnectionState.CircuitOpen, delay, reason: outcome.Reason, exception: outcome.Error);
                }
                else
                {
                    Log.Reconnecting(_logger, delay.TotalMilliseconds, _policy.Failures);
                    SetState(ConnectionState.Reconnecting, delay, reason: outcome.Reason, exception: outcome.Error);
                }
                await Task.Delay(delay, _time, stop);
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // Disposed while waiting or connecting: whatever the attempt then ended with (cancelled, or its own error in
            // the same instant, such as a refused connect or a failing token provider) no longer matters, and
            // DisposeAsync, which awaits this loop, must not throw it.
        }
    }

    private bool IsDisposing
    {
        get { lock (_gate) { return _disposing; } }
    }

    private async Task<Outcome> RunConnectionAsync(CancellationToken stop)
    {
        string token;
        try
        {
            token = _options.TokenProvider is { } provider ? await provider(stop) : _options.Token!;
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            return new Outcome(false, false, null, "the token provider failed", ex);
        }
        if (string.IsNullOrEmpty(token))
        {
            return new Outcome(false, false, null, "the token provider returned no token", null);
        }

        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        socket.Options.CollectHttpResponseDetails = true;
        Log.Connecting(_logger, _url);
        using (var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token))
        {
            try
            {
                await socket.ConnectAsync(_url, linked.Token);
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                var status = (int)socket.HttpStatusCode;
                socket.Dispose();
                if (status is 401 or 403)
                {
                    // The server refused the token or the origin before the upgrade: retrying would hammer it with the same refusal.
                    return new Outcome(false, true, null, $"the server refused the connection with HTTP {status}", ex);
                }
                var reason = timeout.IsCancellationRequested ? "the connection attempt timed out" : "the connection attempt failed";
                return new Outcome(false, false, null, status > 0 ? $"{reason} (HTTP {status})" : reason, ex);
            }
        }

        using var session = new Session(socket, _options.MaxIncomingFrameBytes);
        lock (_gate)
        {
            _current = session;
        }
        return await ReadLoopAsync(session, stop);
    }

    private async Task<Outcome> ReadLoopAsync(Session session, CancellationToken stop)
    {
        var welcomed = false;
        var silenceLimit = _options.ConnectTimeout;
        // The watchdog cuts a socket that went silent: no welcome in time, or no frame for heartbeat × multiplier.
        using var watchdog = _time.CreateTimer(_ => session.Abort(welcomed
            ? $"no frame from the server for {silenceLimit.TotalMilliseconds:0} ms (heartbeat timeout)"
            : "no welcome from the server in time"), null, silenceLimit, Timeout.InfiniteTimeSpan);
        Exception? error = null;
        try
        {
            while (true)
            {
                var message = await session.ReceiveAsync(stop);
                if (message is not { } bytes)
                {
                    break;
                }
                watchdog.Change(silenceLimit, Timeout.InfiniteTimeSpan);
                if (ServerFrame.TryParse(bytes) is not { } frame)
                {
                    continue;
                }
                if (welcomed)
                {
                    Dispatch(session, frame);
                }
                else if (frame.Type == MessageTypes.Welcome)
                {
                    var welcome = frame.Data.ValueKind == JsonValueKind.Object
                        ? frame.Data.Deserialize(HubbubJsonContext.Default.WelcomeData)
                        : null;
                    if (welcome is null)
                    {
                        session.Abort("the server's welcome was malformed");
                        continue;
                    }
                    welcomed = true;
                    silenceLimit = welcome.HeartbeatMs > 0
                        ? TimeSpan.FromMilliseconds(welcome.HeartbeatMs * _options.HeartbeatMultiplier)
                        : Timeout.InfiniteTimeSpan;
                    watchdog.Change(silenceLimit, Timeout.InfiniteTimeSpan);
                    OnWelcome(session, welcome);
                }
            }
        }
        catch (Exception ex) when (!stop.IsCancellationRequested
            && ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or JsonException)
        {
            error = ex;
        }
        finally
        {
            OnSessionEnded(session);
        }

        var code = session.CloseCode;
        var reason = session.AbortReason ?? (string.IsNullOrEmpty(session.CloseDescription) ? null : session.CloseDescription)
            ?? error?.Message ?? (code is null ? "the connection was lost" : null);
        // 4401: the token expired before a refresh got through; a token provider gives the next connection a fresh one.
        var terminal = code is { } c && !CloseCodes.ShouldReconnect(c)
            && !(c == CloseCodes.TokenExpired && _options.TokenProvider is not null);
        return new Outcome(welcomed, terminal, code, reason, error);
    }

    private void OnWelcome(Session session, WelcomeData welcome)
    {
        Welcome = welcome;
        TokenExpiresAt = welcome.ExpiresAt is { } expiresAt ? DateTimeOffset.FromUnixTimeSeconds(expiresAt) : null;
        Restore(session);
        ScheduleRefresh(session, TokenExpiresAt, retry: false);
        _policy.Succeeded();
        Log.Connected(_logger, welcome.User, welcome.Client, welcome.HeartbeatMs);
        SetState(ConnectionState.Connected);
        _firstConnected.TrySetResult();
    }

    /// <summary>
    /// Resubscribes every subscription (with <c>since</c> when it has a position), then flushes the offline queue in
    /// order, then opens the socket to new requests — all under the lock, so nothing new overtakes the restore.
    /// </summary>
    private void Restore(Session session)
    {
        lock (_gate)
        {
            foreach (var subscription in _subscriptions.Values)
            {
                SendLocked(SubscribeRequestFor(subscription), session);
            }
            while (_offline.First is { } first)
            {
                _offline.RemoveFirst();
                SendLocked(first.Value, session);
            }
            _ready = session;
        }
    }

    private void Dispatch(Session session, ServerFrame frame)
    {
        switch (frame.Type)
        {
            case MessageTypes.Reply or MessageTypes.Error when frame.Id is { } id:
                PendingRequest? pending;
                lock (_gate)
                {
                    _pending.Remove(id, out pending);
                }
                if (pending is null)
                {
                    return; // answered after it timed out or was cancelled
                }
                if (frame.Type == MessageTypes.Reply)
                {
                    pending.Reply(frame.Data);
                }
                else
                {
                    pending.Error(ReadError(frame.Data), ReadReason(frame.Data));
                }
                return;
            case MessageTypes.Error:
                var error = ReadError(frame.Data);
                Log.UnsolicitedError(_logger, error.Code, error.Message);
                return;
            case MessageTypes.Ping:
                // The server's heartbeat: answer it so the server sees this client alive too.
                session.TryWrite(ClientFrames.Pong);
                return;
            case MessageTypes.Pong or MessageTypes.Welcome or MessageTypes.Reply:
                return;
            case MessageTypes.StreamReset:
                if (Find(frame.Channel) is { } reset && frame.Data.ValueKind == JsonValueKind.Object
                    && frame.Data.TryGetProperty("epoch"u8, out var epoch) && epoch.ValueKind == JsonValueKind.String)
                {
                    Log.ReloadRequired(_logger, reset.Channel, MessageTypes.StreamReset);
                    reset.OnStreamReset(epoch.GetString()!, ReportHandlerFailure);
                }
                return;
            case MessageTypes.Unsubscribed:
                if (Forget(frame.Channel) is { } ended)
                {
                    var reason = frame.Data.ValueKind == JsonValueKind.Object && frame.Data.TryGetProperty("reason"u8, out var r)
                        && r.ValueKind == JsonValueKind.String ? r.GetString()! : "";
                    Log.Ended(_logger, ended.Channel, reason);
                    ended.OnEnded(frame, reason, ReportHandlerFailure);
                }
                return;
            default:
                if (Find(frame.Channel) is { } subscription && subscription.OnEvent(frame, ReportHandlerFailure, out var gapFrom) && gapFrom is { } expected)
                {
                    Log.Gap(_logger, subscription.Channel, expected, frame.Offset!.Value);
                }
                return;
        }
    }

    private HubbubSubscription? Find(string? channel)
    {
        if (channel is null)
        {
            return null;
        }
        lock (_gate)
        {
            return _subscriptions.GetValueOrDefault(channel);
        }
    }

    /// <summary>Removes the subscription to <paramref name="channel"/> (the server ended it), so no reconnect restores it.</summary>
    private HubbubSubscription? Forget(string? channel)
    {
        if (channel is null)
        {
            return null;
        }
        lock (_gate)
        {
            return _subscriptions.Remove(channel, out var subscription) ? subscription : null;
        }
    }

    private static ErrorData ReadError(JsonElement data)
    {
        var code = ReadString(data, "code") ?? "";
        return new ErrorData(code.Length > 0 ? code : ErrorCodes.Internal, ReadString(data, "message") ?? "");
    }

    /// <summary>A feature's machine-readable refinement of the code (<c>bid_too_low</c>), when the error carries one.</summary>
    private static string? ReadReason(JsonElement data) => ReadString(data, "reason") is { Length: > 0 } reason ? reason : null;

    private static string? ReadString(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    /// <summary>
    /// The socket is gone: requests written to it fail (the server may or may not have acted on them), except
    /// subscribes, which the next connection redoes.
    /// </summary>
    private void OnSessionEnded(Session session)
    {
        List<PendingRequest> lost = [];
        lock (_gate)
        {
            StopRefreshLocked();
            if (_current == session)
            {
                _current = null;
            }
            if (_ready == session)
            {
                _ready = null;
            }
            foreach (var pending in _pending.Values)
            {
                if (pending.SentOn == session)
                {
                    lost.Add(pending);
                }
            }
            foreach (var pending in lost)
            {
                _pending.Remove(pending.Id);
            }
        }
        foreach (var pending in lost)
        {
            if (pending.Restorable)
            {
                pending.Detach();
            }
            else
            {
                pending.Fail(new HubbubConnectionException(
                    $"the connection was lost before the reply to '{pending.Type}'; the server may or may not have acted on it"));
            }
        }
    }
}
