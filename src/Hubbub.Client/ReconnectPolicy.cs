namespace Hubbub.Client;

/// <summary>
/// Decides how long to wait after a failed attempt: exponential backoff with full jitter
/// (<c>random(0, min(cap, base·2^(n−1)))</c>), and a circuit breaker that, after
/// <see cref="HubbubClientOptions.CircuitBreakerThreshold"/> failures in a row, waits the cool-down before each
/// single trial until one succeeds. Full jitter spreads a crowd of clients that lost the same server.
/// </summary>
internal sealed class ReconnectPolicy(HubbubClientOptions options)
{
    /// <summary>Failed attempts in a row.</summary>
    public int Failures { get; private set; }

    /// <summary>A connection was welcomed: start over.</summary>
    public void Succeeded() => Failures = 0;

    /// <summary>Counts a failure and returns the wait before the next attempt, and whether the circuit is open.</summary>
    public (TimeSpan Delay, bool CircuitOpen) Failed()
    {
        Failures++;
        if (Failures >= options.CircuitBreakerThreshold)
        {
            return (options.CircuitBreakerCooldown, true);
        }
        return (Backoff(Failures), false);
    }

    /// <summary>The jittered delay before attempt number <paramref name="failures"/> + 1.</summary>
    public TimeSpan Backoff(int failures)
    {
        var exponent = Math.Min(failures - 1, 30); // 2^30 × any sane base already exceeds every cap
        var ceiling = Math.Min(options.ReconnectMaxDelay.TotalMilliseconds, options.ReconnectBaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(Math.Floor(options.Random.NextDouble() * ceiling));
    }
}
