namespace Hubbub.Features.Kit.Diagnostics;

/// <summary>The kit's log messages, source-generated, with stable event ids (6000-6099).</summary>
internal static partial class KitLog
{
    [LoggerMessage(6000, LogLevel.Warning, "Outbox: publishing {EventType} on {Channel} failed (attempt {Attempts}); retried in {RetryMs} ms")]
    public static partial void PublishFailed(ILogger logger, Exception exception, string? eventType, string channel, int attempts, long retryMs);

    [LoggerMessage(6001, LogLevel.Error, "Outbox: dropped {EventType} on {Channel}, which can never be published: {Reason}")]
    public static partial void PublishDropped(ILogger logger, string? eventType, string channel, string reason);

    [LoggerMessage(6002, LogLevel.Warning, "Domain events: handler {Handler} failed on event {EventId} ({EventType}, attempt {Attempts}); retried in {RetryMs} ms")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string handler, long eventId, string eventType, int attempts, long retryMs);

    [LoggerMessage(6003, LogLevel.Error, "Domain events: handler {Handler} is stuck on event {EventId} after {Attempts} attempts")]
    public static partial void HandlerStuck(ILogger logger, string handler, long eventId, int attempts);

    [LoggerMessage(6004, LogLevel.Warning, "Scheduler: job {Kind}/{Key} failed (attempt {Attempts}); retried in {RetryMs} ms")]
    public static partial void JobFailed(ILogger logger, Exception exception, string kind, string key, int attempts, long retryMs);

    [LoggerMessage(6005, LogLevel.Error, "Scheduler: no handler for job kind {Kind} ({Key}); it stays until one is registered")]
    public static partial void JobWithoutHandler(ILogger logger, string kind, string key);

    [LoggerMessage(6006, LogLevel.Warning, "{Loop}: a sweep failed; trying again in {RetryMs} ms")]
    public static partial void SweepFailed(ILogger logger, Exception exception, string loop, long retryMs);

    [LoggerMessage(6007, LogLevel.Critical, "Testing: Hubbub:Testing:CrashAfterCommitBeforePublish is on; the process ends now, after a commit and before its publication")]
    public static partial void CrashingOnPurpose(ILogger logger);

    [LoggerMessage(6008, LogLevel.Information, "Retention: pruned {Events} domain events and {Keys} idempotency keys older than {Days} days")]
    public static partial void Pruned(ILogger logger, int events, int keys, int days);

    [LoggerMessage(6009, LogLevel.Warning, "Retention: could not schedule the pruning job on start; the next start tries again")]
    public static partial void PruneSeedFailed(ILogger logger, Exception exception);

    [LoggerMessage(6010, LogLevel.Warning, "Domain events: handler {Handler} failed on event {EventId} ({EventType}) run with its raise; its part was rolled back and it runs again after the commit")]
    public static partial void InlineHandlerFailed(ILogger logger, Exception exception, string handler, long eventId, string eventType);
}
