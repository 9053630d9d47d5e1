namespace Hubbub.Bench.Measure;

/// <summary>
/// A lock-free latency histogram in microseconds: 10 µs buckets below 10 ms, 1 ms buckets up to 60 s (beyond
/// counts as 60 s). Many receive loops record into one; percentiles are read after the step.
/// </summary>
public sealed class LatencyHistogram
{
    private const int FineBucketUs = 10;
    private const int FineLimitUs = 10_000;
    private const int CoarseBucketUs = 1_000;
    private const int CoarseLimitUs = 60_000_000;
    private const int FineCount = FineLimitUs / FineBucketUs;
    private readonly long[] _counts = new long[FineCount + ((CoarseLimitUs - FineLimitUs) / CoarseBucketUs) + 1];
    private long _count;
    private long _max;

    /// <summary>Samples recorded.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>The largest sample (exact).</summary>
    public long MaxMicroseconds => Volatile.Read(ref _max);

    /// <summary>Records one latency.</summary>
    public void Record(long microseconds)
    {
        var us = Math.Clamp(microseconds, 0, CoarseLimitUs);
        var index = us < FineLimitUs ? (int)(us / FineBucketUs) : FineCount + (int)((us - FineLimitUs) / CoarseBucketUs);
        Interlocked.Increment(ref _counts[index]);
        Interlocked.Increment(ref _count);
        var max = Volatile.Read(ref _max);
        while (us > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, us, max);
            if (seen == max)
            {
                break;
            }
            max = seen;
        }
    }

    /// <summary>The latency below which <paramref name="percentile"/> % of samples fall (a bucket's upper edge), in µs; 0 when empty.</summary>
    public long Percentile(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }
        var rank = (long)Math.Ceiling(total * percentile / 100.0);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                var upper = i < FineCount ? (i + 1L) * FineBucketUs : FineLimitUs + ((i - FineCount + 1L) * CoarseBucketUs);
                return Math.Min(upper, MaxMicroseconds);
            }
        }
        return MaxMicroseconds;
    }
}
