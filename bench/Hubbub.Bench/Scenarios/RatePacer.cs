using System.Diagnostics;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// Keeps one client's frames under a server's per-connection rate limit: a token bucket holding up to
/// <paramref name="burst"/> frames, refilled at <paramref name="perSecond"/>. The caller waits between round
/// trips, never inside a measured one.
/// </summary>
internal sealed class RatePacer(double perSecond, double burst)
{
    private readonly double _burst = burst;
    private double _tokens = burst;
    private long _refilled = Stopwatch.GetTimestamp();

    /// <summary>Waits, when needed, until one more frame fits, and takes it.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        Refill();
        if (_tokens < 1)
        {
            await Task.Delay(TimeSpan.FromSeconds((1 - _tokens) / perSecond), cancellationToken);
            Refill();
        }
        _tokens--;
    }

    private void Refill()
    {
        var now = Stopwatch.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + (Stopwatch.GetElapsedTime(_refilled, now).TotalSeconds * perSecond));
        _refilled = now;
    }
}
