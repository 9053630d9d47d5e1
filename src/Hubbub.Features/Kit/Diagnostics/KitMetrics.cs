using Prometheus;

namespace Hubbub.Features.Kit.Diagnostics;

/// <summary>The kit's Prometheus metrics, exported at <c>/metrics</c>.</summary>
public static class KitMetrics
{
    /// <summary>Outbox rows published.</summary>
    public static readonly Counter OutboxPublished = Metrics.CreateCounter("hubbub_outbox_published_total", "Outbox rows published after their commit.");

    /// <summary>Outbox publications that failed and wait for a retry.</summary>
    public static readonly Counter OutboxFailures = Metrics.CreateCounter("hubbub_outbox_failures_total", "Outbox publications that failed (retried with backoff).");

    /// <summary>Outbox rows dropped because no retry can succeed (an invalid channel).</summary>
    public static readonly Counter OutboxDropped = Metrics.CreateCounter("hubbub_outbox_dropped_total", "Outbox rows dropped as unpublishable.");

    /// <summary>Outbox rows not yet published, as last counted by this node's sweep.</summary>
    public static readonly Gauge OutboxPending = Metrics.CreateGauge("hubbub_outbox_pending", "Outbox rows waiting to be published (last sweep).");

    /// <summary>Notifications kept in users' inboxes, by type, counted after their commit.</summary>
    public static readonly Counter NotificationsKept = Metrics.CreateCounter("hubbub_notifications_kept_total",
        "Notifications kept in users' inboxes (committed), by type.", "type");

    /// <summary>Unread notifications a newer one of the same key replaced (gamification's overtaken), counted after their commit.</summary>
    public static readonly Counter NotificationsReplaced = Metrics.CreateCounter("hubbub_notifications_replaced_total",
        "Unread notifications deleted because a newer one of the same key replaced them (committed).");

    /// <summary>Domain-event handlings done.</summary>
    public static readonly Counter HandlingsDone = Metrics.CreateCounter("hubbub_domain_event_handlings_total", "Domain-event handler runs committed.");

    /// <summary>Domain-event handler runs that failed, by handler.</summary>
    public static readonly Counter HandlingFailures = Metrics.CreateCounter("hubbub_domain_event_handler_failures_total",
        "Domain-event handler runs that failed (retried with backoff).", "handler");

    /// <summary>Handlings that failed at least Kit:StuckAfterAttempts times and are not done.</summary>
    public static readonly Gauge HandlingsStuck = Metrics.CreateGauge("hubbub_domain_event_handlings_stuck",
        "Domain-event handlings that failed Kit:StuckAfterAttempts times or more and still wait (last sweep).");

    /// <summary>Jobs run.</summary>
    public static readonly Counter JobsRun = Metrics.CreateCounter("hubbub_jobs_run_total", "Scheduled jobs run, by kind.", "kind");

    /// <summary>Job runs that failed, by kind.</summary>
    public static readonly Counter JobFailures = Metrics.CreateCounter("hubbub_job_failures_total", "Scheduled job runs that failed (retried with backoff).", "kind");

    /// <summary>Jobs that failed at least Kit:StuckAfterAttempts times.</summary>
    public static readonly Gauge JobsStuck = Metrics.CreateGauge("hubbub_jobs_stuck", "Scheduled jobs that failed Kit:StuckAfterAttempts times or more (last sweep).");
}
