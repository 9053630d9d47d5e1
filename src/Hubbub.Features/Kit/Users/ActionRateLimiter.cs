using System.Collections.Concurrent;
using Hubbub.Core;
using Hubbub.Core.Limits;
using Hubbub.Protocol;

namespace Hubbub.Features.Kit.Users;

/// <summary>
/// Per-user action rate limits for every feature: one token bucket per (action, user), shared by REST and WebSocket so
/// a user cannot double a rate by using both. Buckets live as long as the process; one per user who ever acted is small.
/// </summary>
public sealed class ActionRateLimiter(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Action, string User), TokenBucket> _buckets = new();

    /// <summary>Takes one <paramref name="action"/> from the user's allowance or refuses with <c>rate_limited</c>.</summary>
    public void Take(string action, string user, double perSecond, int burst)
    {
        var bucket = _buckets.GetOrAdd((action, user), _ => new TokenBucket(time, perSecond, burst));
        bool allowed;
        lock (bucket)
        {
            allowed = bucket.TryTake();
        }
        if (!allowed)
        {
            throw new HubbubException(ErrorCodes.RateLimited, $"too many {action}: at most {perSecond} per second (bursts of {burst})");
        }
    }
}
