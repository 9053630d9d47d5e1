using System.Collections.Concurrent;
using Hubbub.Core;
using Hubbub.Core.Limits;
using Hubbub.Protocol;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Features.Messaging;

/// <summary>
/// One token bucket per user for message sends, shared by REST and WebSocket so a user cannot double the rate
/// by using both. Buckets live as long as the process; one per user who ever sent is small.
/// </summary>
public sealed class SendRateLimiter(IOptions<MessagingOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Takes one send from the user's allowance or refuses with <c>rate_limited</c>.</summary>
    public void Take(string user)
    {
        var o = options.Value;
        var bucket = _buckets.GetOrAdd(user, _ => new TokenBucket(time, o.SendsPerSecond, o.SendBurst));
        bool allowed;
        lock (bucket)
        {
            allowed = bucket.TryTake();
        }
        if (!allowed)
        {
            throw new HubbubException(ErrorCodes.RateLimited,
                $"too many messages: at most {o.SendsPerSecond} per second (bursts of {o.SendBurst})");
        }
    }
}
