using Prometheus;

namespace Hubbub.Features.Kit.Webhooks;

/// <summary>Webhook metrics, exported at <c>/metrics</c>.</summary>
public static class WebhookMetrics
{
    /// <summary>Attempts by result: <c>delivered</c>, <c>failed</c> (retried later) or <c>dead</c> (the last one failed).</summary>
    public static readonly Counter Attempts = Metrics.CreateCounter("hubbub_webhook_attempts_total",
        "Webhook delivery attempts, by result (delivered, failed, dead).", "result");

    /// <summary>Deliveries waiting for an attempt, as last counted by this node.</summary>
    public static readonly Gauge Pending = Metrics.CreateGauge("hubbub_webhook_deliveries_pending", "Webhook deliveries waiting to be sent (last sweep).");

    /// <summary>Dead letters, as last counted by this node.</summary>
    public static readonly Gauge Dead = Metrics.CreateGauge("hubbub_webhook_deliveries_dead", "Webhook deliveries that failed every attempt and wait for a replay (last sweep).");
}

/// <summary>Webhook log messages, source-generated, with stable event ids (6050-6059).</summary>
internal static partial class WebhookLog
{
    [LoggerMessage(6050, LogLevel.Warning, "Webhooks: delivery {DeliveryId} of event {EventId} ({EventType}) to webhook {Endpoint} failed (attempt {Attempts}: {Error}); retried in {RetryMs} ms")]
    public static partial void AttemptFailed(ILogger logger, long deliveryId, long eventId, string eventType, long endpoint, int attempts, string error, long retryMs);

    [LoggerMessage(6051, LogLevel.Error, "Webhooks: delivery {DeliveryId} of event {EventId} ({EventType}) to webhook {Endpoint} is dead after {Attempts} attempts ({Error}); replay it with POST /api/webhooks/deliveries/{DeliveryId}/replay")]
    public static partial void Dead(ILogger logger, long deliveryId, long eventId, string eventType, long endpoint, int attempts, string error);

    [LoggerMessage(6052, LogLevel.Warning, "Webhooks: delivery {DeliveryId} was sent after this node's claim on it expired (an attempt longer than the lease); another node may send it too")]
    public static partial void ClaimLost(ILogger logger, long deliveryId);
}
