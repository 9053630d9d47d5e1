namespace Hubbub.Client;

/// <summary>Where a <see cref="HubbubClient"/>'s connection stands.</summary>
public enum ConnectionState
{
    /// <summary>Not connected: before <see cref="HubbubClient.ConnectAsync"/>, or just after a connection ended.</summary>
    Disconnected,
    /// <summary>Opening a socket and waiting for the server's <c>welcome</c>.</summary>
    Connecting,
    /// <summary>Welcomed; subscriptions restored and the offline queue flushed.</summary>
    Connected,
    /// <summary>Waiting <see cref="ConnectionStateChangedEventArgs.Delay"/> before the next attempt.</summary>
    Reconnecting,
    /// <summary>Too many attempts failed in a row; waiting <see cref="ConnectionStateChangedEventArgs.Delay"/> (the cool-down) before one trial.</summary>
    CircuitOpen,
    /// <summary>
    /// Terminal: the client will not reconnect, because it was disposed, the server closed with 1000 or a code in
    /// 4400–4499, or the handshake was refused with 401/403. See <see cref="ConnectionStateChangedEventArgs.Reason"/>.
    /// </summary>
    Stopped,
}

/// <summary>Data of <see cref="HubbubClient.StateChanged"/>.</summary>
public sealed class ConnectionStateChangedEventArgs : EventArgs
{
    internal ConnectionStateChangedEventArgs(ConnectionState state, ConnectionState previous, int attempt, TimeSpan? delay,
        int? closeCode, string? reason, Exception? exception)
    {
        State = state;
        PreviousState = previous;
        Attempt = attempt;
        Delay = delay;
        CloseCode = closeCode;
        Reason = reason;
        Exception = exception;
    }

    /// <summary>The new state.</summary>
    public ConnectionState State { get; }

    /// <summary>The state before.</summary>
    public ConnectionState PreviousState { get; }

    /// <summary>Consecutive failed attempts so far (0 once connected).</summary>
    public int Attempt { get; }

    /// <summary>For <see cref="ConnectionState.Reconnecting"/> and <see cref="ConnectionState.CircuitOpen"/>: the wait before the next attempt.</summary>
    public TimeSpan? Delay { get; }

    /// <summary>For <see cref="ConnectionState.Disconnected"/> and <see cref="ConnectionState.Stopped"/>: the WebSocket close code, when the peer sent one.</summary>
    public int? CloseCode { get; }

    /// <summary>A human-readable reason (close description, error message).</summary>
    public string? Reason { get; }

    /// <summary>The failure that ended the connection or attempt, if any.</summary>
    public Exception? Exception { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{State} (attempt {Attempt}{(Delay is { } d ? $", delay {d.TotalMilliseconds:0} ms" : "")}{(CloseCode is { } c ? $", close {c}" : "")}{(Reason is { } r ? $", {r}" : "")})";
}

/// <summary>Data of <see cref="HubbubClient.MessageDropped"/>: a request left the full offline queue unsent.</summary>
public sealed class MessageDroppedEventArgs(string type, string? channel) : EventArgs
{
    /// <summary>The request's type, e.g. <c>publish</c>.</summary>
    public string Type { get; } = type;

    /// <summary>Its channel, when it named one.</summary>
    public string? Channel { get; } = channel;
}
