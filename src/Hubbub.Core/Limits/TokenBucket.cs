namespace Hubbub.Core.Limits;

/// <summary>
/// A per-connection token bucket driven by <see cref="TimeProvider"/> timestamps. Written here rather than
/// taken from System.Threading.RateLimiting because that limiter replenishes on its own timer (one per
/// connection, untestable on a fake clock); this one refills lazily on each call and holds no timer.
/// Not thread-safe: a connection's single reader loop is its only caller.
/// </summary>
public sealed class TokenBucket
{
    /// <summary>Shorter work is ordinary handling, which the burst absorbs; longer is the server waiting on something.</summary>
    private static readonly TimeSpan MinCreditedTime = TimeSpan.FromMilliseconds(100);

    /// <summary>The most server time one credit covers.</summary>
    private static readonly TimeSpan MaxCreditedTime = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private readonly double _perSecond;
    private readonly double _capacity;
    private double _tokens;
    private long _last;
    private double _credit;
    private long _creditUntil;

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
        if (_tokens >= 1)
        {
            _tokens -= 1;
            return true;
        }
        if (_credit >= 1 && now <= _creditUntil)
        {
            _credit -= 1;
            return true;
        }
        return false;
    }

    /// <summary>Where the server starts working on a frame: pass it to <see cref="CreditServerTime"/> when done.</summary>
    public long StartServerTime() => _time.GetTimestamp();

    /// <summary>
    /// The server worked from <paramref name="started"/> until now on one frame of this client, and its next frames
    /// waited unread meanwhile: they are read together afterwards, though the client sent them at its own pace.
    /// The rate measures the client, not the server's backlog, so the tokens that refilled in that time are kept
    /// beyond the burst cap (as a credit, used once the bucket is empty) for as long again, at least a second:
    /// long enough to read that backlog, never more than the rate allows over the time the server took. Work under
    /// 100 ms earns nothing. A client can thus at worst send twice its rate while the server is busy for it all along.
    /// </summary>
    public void CreditServerTime(long started)
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(started, now);
        if (elapsed < MinCreditedTime)
        {
            return;
        }
        if (now > _creditUntil)
        {
            _credit = 0;
        }
        var credited = elapsed < MaxCreditedTime ? elapsed : MaxCreditedTime;
        _credit = Math.Min(_credit + (credited.TotalSeconds * _perSecond), MaxCreditedTime.TotalSeconds * _perSecond);
        var keep = credited > TimeSpan.FromSeconds(1) ? credited : TimeSpan.FromSeconds(1);
        _creditUntil = Math.Max(_creditUntil, now + (long)(keep.TotalSeconds * _time.TimestampFrequency));
    }
}
