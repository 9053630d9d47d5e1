using System.Diagnostics;
using Prometheus;

namespace Hubbub.Features.Gamification.Ranking;

/// <summary>
/// The ranked index's own share of a score update, on <c>/metrics</c>: the apply of a committed score and the rank reads an
/// event makes (<see cref="ILeaderboardIndex.ApplyAsync"/>, <see cref="ILeaderboardIndex.RankOfScoreAsync"/>), each
/// timed inside the index (a Redis round trip included), so an operator (and the bench) can tell the index's time from
/// the rest of an event's (its transaction, the outbox, HTTP).
/// </summary>
internal static class RankingMetrics
{
    /// <summary>Seconds per index operation, by index (<c>memory</c>, <c>redis</c>) and operation (<c>apply</c>, <c>rank</c>).</summary>
    public static readonly Histogram Seconds = Metrics.CreateHistogram("hubbub_leaderboard_index_seconds",
        "Seconds per ranked-index operation of a score update (apply: a committed score; rank: a rank read in the event's transaction), by index and operation.",
        new HistogramConfiguration
        {
            LabelNames = ["index", "op"],
            Buckets = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
            ExemplarBehavior = ExemplarBehavior.NoExemplars(),
        });

    /// <summary>The in-memory index's applies.</summary>
    public static readonly Histogram.Child MemoryApply = Seconds.WithLabels("memory", "apply");

    /// <summary>The in-memory index's rank reads.</summary>
    public static readonly Histogram.Child MemoryRank = Seconds.WithLabels("memory", "rank");

    /// <summary>The Redis index's applies.</summary>
    public static readonly Histogram.Child RedisApply = Seconds.WithLabels("redis", "apply");

    /// <summary>The Redis index's rank reads.</summary>
    public static readonly Histogram.Child RedisRank = Seconds.WithLabels("redis", "rank");

    /// <summary>Times one operation into <paramref name="histogram"/> when disposed (no allocation).</summary>
    public static Timing Time(Histogram.Child histogram) => new(histogram, Stopwatch.GetTimestamp());

    /// <summary>An operation being timed.</summary>
    public readonly struct Timing(Histogram.Child histogram, long start) : IDisposable
    {
        /// <summary>Observes the time since the start.</summary>
        public void Dispose() => histogram.Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
    }
}
