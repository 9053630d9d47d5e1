namespace Hubbub.Core.Limits;

/// <summary>
/// A per-connection token bucket driven by <see cref="TimeProvider"/> timestamps. Written here rather than
/// taken from System.Threading.RateLimiting because that limiter replenishes on its own timer (one per
/// connection, untestable on a fake clock); this one refills lazily on each call and holds no timer.
/// Not thread-safe: a connection's single reader loop is its only caller.
/// </summary>
public sealed class TokenBucket
{
    private readonly TimeProvider _time;
    private readonly double _perSecond;
    private readonly double _capacity;
    private double _tokens;
    private long _last;

    /// <summary>A full bucket of <paramref name="burst"/> tokens refilling at <paramref name="perSecond"/>.</summary>
    public TokenBucket(TimeProvider time, double perSecond, int burst)
    {
        _time = time;
        _perSecond = perSecond;
        _capacity = burst;
        _tokens = burst;
        _last = time.GetTimestamp();
    }

    /// <summary>Takes one token; false when the bucket is empty.</summary>
    public bool TryTake()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_last, now).TotalSeconds;
        _last = now;
        _tokens = Math.Min(_capacity, _tokens + (elapsed * _perSecond));
        if (_tokens < 1)
        {
            return false;
        }
        _tokens -= 1;
        return true;
    }
}
