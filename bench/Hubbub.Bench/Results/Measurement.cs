namespace Hubbub.Bench.Results;

/// <summary>What a metric's direction is.</summary>
public enum Better
{
    /// <summary>Larger is better (rates, steps).</summary>
    Higher,

    /// <summary>Smaller is better (latency, memory, CPU).</summary>
    Lower,

    /// <summary>A count that should be zero or a fact without a direction.</summary>
    None,
}

/// <summary>One figure from one round of one scenario on one server.</summary>
/// <param name="Scenario">Scenario name (e.g. <c>fanout</c>).</param>
/// <param name="Server">Server key (<c>hubbub</c>, <c>kestrel</c>, <c>signalr</c>).</param>
/// <param name="Round">Round number, from 1.</param>
/// <param name="Metric">Metric name (e.g. <c>p99_ms</c>).</param>
/// <param name="Value">The value.</param>
/// <param name="Unit">Unit shown in tables.</param>
/// <param name="Better">Which direction is better.</param>
public sealed record Measurement(string Scenario, string Server, int Round, string Metric, double Value, string Unit, Better Better);

/// <summary>One step of a fan-out ladder in one round, for the ladder table and CSV.</summary>
/// <param name="Scenario">fanout or cluster.</param>
/// <param name="Server">Server key.</param>
/// <param name="Round">Round.</param>
/// <param name="Rate">Messages per second published.</param>
/// <param name="Sent">Messages published.</param>
/// <param name="Expected">Deliveries expected (sent × subscribers).</param>
/// <param name="Delivered">Deliveries received in order, once.</param>
/// <param name="Duplicates">Deliveries received twice or out of order.</param>
/// <param name="Disconnected">Subscribers that lost their connection during the step.</param>
/// <param name="DeliveriesPerSecond">Delivered over the time from first send to last delivery.</param>
/// <param name="P50Ms">Median latency.</param>
/// <param name="P95Ms">95th percentile latency.</param>
/// <param name="P99Ms">99th percentile latency.</param>
/// <param name="MaxMs">Largest latency.</param>
/// <param name="ServerCpuUsPerDelivery">Server CPU time per delivery.</param>
/// <param name="LoadCpuPercent">The load generator's CPU use over the step (100 = one core).</param>
/// <param name="ServerCpuPercent">The server's CPU use over the step (100 = one core).</param>
/// <param name="Passed">Zero loss, no duplicates, no disconnects, p99 below 100 ms.</param>
public sealed record LadderStep(string Scenario, string Server, int Round, int Rate, long Sent, long Expected, long Delivered,
    long Duplicates, int Disconnected, double DeliveriesPerSecond, double P50Ms, double P95Ms, double P99Ms, double MaxMs,
    double ServerCpuUsPerDelivery, double LoadCpuPercent, double ServerCpuPercent, bool Passed);
