using Microsoft.Extensions.Logging;

namespace Hubbub.Client;

/// <summary>The SDK's log messages, source-generated, with stable event ids. None carries a token.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Debug, "Connecting to {Url}")]
    public static partial void Connecting(ILogger logger, Uri url);

    [LoggerMessage(2001, LogLevel.Information, "Connected as user {User} (client {Client}, heartbeat {HeartbeatMs} ms)")]
    public static partial void Connected(ILogger logger, string user, string client, int heartbeatMs);

    [LoggerMessage(2002, LogLevel.Information, "Connection ended (close {CloseCode}: {Reason})")]
    public static partial void Disconnected(ILogger logger, int? closeCode, string? reason);

    [LoggerMessage(2003, LogLevel.Information, "Reconnecting in {DelayMs} ms (attempt {Attempt})")]
    public static partial void Reconnecting(ILogger logger, double delayMs, int attempt);

    [LoggerMessage(2004, LogLevel.Warning, "{Failures} attempts failed in a row; circuit open for {CooldownMs} ms")]
    public static partial void CircuitOpen(ILogger logger, int failures, double cooldownMs);

    [LoggerMessage(2005, LogLevel.Warning, "Not reconnecting: {Reason}")]
    public static partial void Stopped(ILogger logger, string reason);

    [LoggerMessage(2006, LogLevel.Debug, "Connection attempt failed")]
    public static partial void AttemptFailed(ILogger logger, Exception exception);

    [LoggerMessage(2007, LogLevel.Warning, "Offline queue full ({Capacity}); dropped the oldest request ({Type})")]
    public static partial void Dropped(ILogger logger, int capacity, string type);

    [LoggerMessage(2008, LogLevel.Warning, "Channel {Channel} could not be recovered ({Why}); the app must reload its state")]
    public static partial void ReloadRequired(ILogger logger, string channel, string why);

    [LoggerMessage(2009, LogLevel.Error, "An event handler threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(2010, LogLevel.Warning, "The server sent an error without a request id: {Code}: {Message}")]
    public static partial void UnsolicitedError(ILogger logger, string code, string message);

    [LoggerMessage(2011, LogLevel.Warning, "Restoring subscription {Channel} failed: {Code}; it is closed")]
    public static partial void RestoreFailed(ILogger logger, string channel, string code);

    [LoggerMessage(2012, LogLevel.Warning, "Channel {Channel} skipped from offset {Expected} to {Offset}")]
    public static partial void Gap(ILogger logger, string channel, long expected, long offset);

    [LoggerMessage(2014, LogLevel.Debug, "Token refreshed in place; it now expires at {ExpiresAt}")]
    public static partial void TokenRefreshed(ILogger logger, DateTimeOffset? expiresAt);

    [LoggerMessage(2015, LogLevel.Warning, "Refreshing the token failed; trying again while it lasts")]
    public static partial void TokenRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(2013, LogLevel.Information, "The server ended the subscription to {Channel}: {Reason}")]
    public static partial void Ended(ILogger logger, string channel, string reason);
}
