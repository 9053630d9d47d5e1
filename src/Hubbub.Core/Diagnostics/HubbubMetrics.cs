using Prometheus;

namespace Hubbub.Core.Diagnostics;

/// <summary>
/// The engine's Prometheus metrics, exported at <c>/metrics</c>. Counters are process-wide, as Prometheus
/// expects one registry per process.
/// </summary>
public static class HubbubMetrics
{
    /// <summary>Open WebSocket connections.</summary>
    public static readonly Gauge Connections = Metrics.CreateGauge("hubbub_connections", "Open WebSocket connections.");

    /// <summary>Connections accepted since start.</summary>
    public static readonly Counter ConnectionsAccepted = Metrics.CreateCounter("hubbub_connections_accepted_total", "WebSocket connections accepted.");

    /// <summary>WebSocket upgrades answered 101, by where: <c>connection</c> (ahead of the HTTP layer) or <c>http</c>.</summary>
    public static readonly Counter Upgrades = Metrics.CreateCounter("hubbub_websocket_upgrades_total",
        "WebSocket upgrades accepted, by layer: connection (ahead of the HTTP layer) or http.", "layer");

    /// <summary>Client frames received.</summary>
    public static readonly Counter FramesIn = Metrics.CreateCounter("hubbub_frames_received_total", "Frames received from clients.",
        new CounterConfiguration { ExemplarBehavior = ExemplarBehavior.NoExemplars() });

    /// <summary>Frames written to clients.</summary>
    /// <remarks>Recorded per frame on the fan-out path, so without exemplars: prometheus-net's default exemplar
    /// capture (reading the ambient trace context on every call) cost a third of the writer loop's time.</remarks>
    public static readonly Counter FramesOut = Metrics.CreateCounter("hubbub_frames_sent_total", "Frames sent to clients.",
        new CounterConfiguration { ExemplarBehavior = ExemplarBehavior.NoExemplars() });

    /// <summary>Publications appended (from clients, the server API and features).</summary>
    public static readonly Counter Publications = Metrics.CreateCounter("hubbub_publications_total", "Publications appended to channel streams.",
        new CounterConfiguration { ExemplarBehavior = ExemplarBehavior.NoExemplars() });

    /// <summary>Bytes of publications the in-memory history holds (as counted against <c>Hubbub:MaxHistoryBytes</c>), set by each sweep.</summary>
    public static readonly Gauge HistoryBytes = Metrics.CreateGauge("hubbub_history_bytes",
        "Bytes of publications held by the in-memory history, as counted against Hubbub:MaxHistoryBytes (0 with Redis).");

    /// <summary>Connections closed because their send queue overflowed.</summary>
    public static readonly Counter SlowConsumers = Metrics.CreateCounter("hubbub_slow_consumer_disconnects_total", "Connections closed as slow consumers.");

    /// <summary>Frames refused with rate_limited.</summary>
    public static readonly Counter RateLimited = Metrics.CreateCounter("hubbub_rate_limited_total", "Client frames refused with rate_limited.");

    /// <summary>Errors answered, by code.</summary>
    public static readonly Counter Errors = Metrics.CreateCounter("hubbub_errors_total", "Error frames sent, by code.", "code");

    /// <summary>
    /// Time from a publication entering this node to its frame being written to a subscriber's socket, observed
    /// once per drained batch for the batch's oldest publication (its longest wait): one shared histogram touched
    /// per frame cost the fan-out more than the send queue did.
    /// </summary>
    public static readonly Histogram PublishToSend = Metrics.CreateHistogram("hubbub_publish_to_send_seconds",
        "Seconds from publication (on this node) to the write of its frame to a subscriber; one observation per send batch, for its oldest publication.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16), ExemplarBehavior = ExemplarBehavior.NoExemplars() });
}
