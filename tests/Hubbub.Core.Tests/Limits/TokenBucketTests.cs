using Hubbub.Core.Limits;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Core.Tests.Limits;

public sealed class TokenBucketTests
{
    [Fact]
    public void Allows_the_burst_then_refills_at_the_rate()
    {
        var clock = new FakeTimeProvider();
        var bucket = new TokenBucket(clock, perSecond: 10, burst: 5);
        Assert.Equal(5, Enumerable.Range(0, 20).Count(_ => bucket.TryTake()));
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(5, Enumerable.Range(0, 20).Count(_ => bucket.TryTake())); // capped at the burst
    }
}
