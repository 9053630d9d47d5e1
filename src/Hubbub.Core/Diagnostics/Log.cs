using Microsoft.Extensions.Logging;

namespace Hubbub.Core.Diagnostics;

/// <summary>The engine's log messages, source-generated, with stable event ids. None of them carries a token.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Debug, "Connection {ConnectionId} opened for user {UserId}")]
    public static partial void ConnectionOpened(ILogger logger, string connectionId, string userId);

    [LoggerMessage(1001, LogLevel.Debug, "Connection {ConnectionId} closed ({CloseCode} {Reason})")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId, int closeCode, string reason);

    [LoggerMessage(1002, LogLevel.Warning, "Connection {ConnectionId} of user {UserId} is a slow consumer: {Frames} frames ({Bytes} bytes) would be queued, over its send queue's {Capacity} frames or {MaxBytes} bytes; closing it")]
    public static partial void SlowConsumer(ILogger logger, string connectionId, string userId, int frames, long bytes, int capacity, long maxBytes);

    [LoggerMessage(1003, LogLevel.Warning, "Connection {ConnectionId} of user {UserId} kept flooding after rate_limited; closing it with 1008")]
    public static partial void Flooding(ILogger logger, string connectionId, string userId);

    [LoggerMessage(1004, LogLevel.Information, "Connection {ConnectionId} sent a frame larger than {MaxBytes} bytes; closing it with 1009")]
    public static partial void FrameTooLarge(ILogger logger, string connectionId, int maxBytes);

    [LoggerMessage(1005, LogLevel.Error, "Request {Type} on connection {ConnectionId} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string type, string connectionId);

    [LoggerMessage(1006, LogLevel.Debug, "Connection {ConnectionId} ended with a socket error")]
    public static partial void SocketError(ILogger logger, Exception exception, string connectionId);

    [LoggerMessage(1007, LogLevel.Information, "User {UserId} already holds {Max} connections; closing the new one")]
    public static partial void TooManyConnections(ILogger logger, string userId, int max);

    [LoggerMessage(1008, LogLevel.Information, "Closing {Count} connections for shutdown")]
    public static partial void ShuttingDown(ILogger logger, int count);

    [LoggerMessage(1009, LogLevel.Error, "Cleaning up connection {ConnectionId} failed")]
    public static partial void CleanupFailed(ILogger logger, Exception exception, string connectionId);

    [LoggerMessage(1011, LogLevel.Error, "Connection observer {Observer} failed for connection {ConnectionId}")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, string observer, string connectionId);

    [LoggerMessage(1010, LogLevel.Error, "Delivering an ephemeral event on {Channel} failed")]
    public static partial void EphemeralFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(1050, LogLevel.Error, "Sweeping the in-memory history failed; the next sweep tries again")]
    public static partial void HistorySweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(1060, LogLevel.Information, "Connection {ConnectionId} of user {UserId}: token expired without refresh; closing it with 4401")]
    public static partial void TokenExpired(ILogger logger, string connectionId, string userId);

    [LoggerMessage(1061, LogLevel.Debug, "Connection {ConnectionId} of user {UserId} refreshed its token")]
    public static partial void TokenRefreshed(ILogger logger, string connectionId, string userId);

    [LoggerMessage(1012, LogLevel.Debug, "Connection {ConnectionId} answered no WebSocket PING within {TimeoutMs} ms; dropping it")]
    public static partial void KeepAliveTimeout(ILogger logger, string connectionId, long timeoutMs);
}
