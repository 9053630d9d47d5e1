using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Hubbub.Redis;

/// <summary>The Redis seams' log messages, source-generated, with stable event ids (3000–3099).</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Warning, "Redis {ConnectionType} connection failed ({FailureType})")]
    public static partial void ConnectionFailed(ILogger logger, Exception? exception, ConnectionType connectionType, ConnectionFailureType failureType);

    [LoggerMessage(3001, LogLevel.Information, "Redis {ConnectionType} connection restored")]
    public static partial void ConnectionRestored(ILogger logger, ConnectionType connectionType);

    [LoggerMessage(3002, LogLevel.Error, "A message on Redis channel {Channel} could not be handled")]
    public static partial void MessageFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(3003, LogLevel.Information, "Filled a gap on {Channel}: {Count} of offsets {From}..{To} arrived from history")]
    public static partial void GapFilled(ILogger logger, string channel, int count, long from, long to);

    [LoggerMessage(3004, LogLevel.Warning, "Channel {Channel} missed offsets {From}..{To} that history no longer holds; subscribers get stream_reset")]
    public static partial void GapLost(ILogger logger, string channel, long from, long to);

    [LoggerMessage(3005, LogLevel.Warning, "The presence heartbeat failed; retrying at the next tick")]
    public static partial void PresenceHeartbeatFailed(ILogger logger, Exception exception);

    [LoggerMessage(3006, LogLevel.Information, "Presence of user {User} on {Channel} expired (its node stopped refreshing it)")]
    public static partial void PresenceExpired(ILogger logger, string user, string channel);

    [LoggerMessage(3007, LogLevel.Warning, "Catching up {Channel} after Redis came back failed; retrying")]
    public static partial void CatchUpFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(3008, LogLevel.Warning, "Redis is unavailable: requests that need it fail with 'internal' until it answers again")]
    public static partial void RedisUnavailable(ILogger logger, Exception? exception);

    [LoggerMessage(3009, LogLevel.Information, "Redis answers again: requests use it again")]
    public static partial void RedisAvailable(ILogger logger);

    [LoggerMessage(3010, LogLevel.Warning, "Channel {Channel} restarted under epoch {Epoch} (Redis lost its stream); subscribers get stream_reset")]
    public static partial void StreamRestarted(ILogger logger, string channel, string epoch);

    [LoggerMessage(3011, LogLevel.Error, "A relay message for this node could not be handled")]
    public static partial void RelayFailed(ILogger logger, Exception exception);

    [LoggerMessage(3012, LogLevel.Error, "An observer of expired presence failed for user {User} on {Channel}")]
    public static partial void PresenceExpiryObserverFailed(ILogger logger, Exception exception, string user, string channel);

    [LoggerMessage(3013, LogLevel.Warning, "Channel {Channel}: publication {Sequence} waited {WaitMs} ms for the ones committed before it and went out without them")]
    public static partial void OrderGivenUp(ILogger logger, string channel, long sequence, long waitMs);
}
