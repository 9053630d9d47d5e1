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

public sealed class TokenBucketServerTimeTests
{
    [Fact]
    public void Frames_that_waited_unread_while_the_server_worked_are_not_counted_as_a_burst()
    {
        var clock = new FakeTimeProvider();
        var bucket = new TokenBucket(clock, perSecond: 100, burst: 20);
        Assert.True(bucket.TryTake());

        // The server holds one frame for 4 s (a broker that does not answer); the client goes on at 50/s meanwhile.
        var started = bucket.StartServerTime();
        clock.Advance(TimeSpan.FromSeconds(4));
        bucket.CreditServerTime(started);

        // The 200 frames sent meanwhile are read at once afterwards: all within the client's rate.
        Assert.Equal(200, Enumerable.Range(0, 200).Count(_ => bucket.TryTake()));
    }

    [Fact]
    public void The_credit_never_exceeds_the_rate_over_the_server_time_and_expires()
    {
        var clock = new FakeTimeProvider();
        var bucket = new TokenBucket(clock, perSecond: 100, burst: 20);
        var started = bucket.StartServerTime();
        clock.Advance(TimeSpan.FromSeconds(2));
        bucket.CreditServerTime(started);

        // Burst 20 plus 200 credited: a flood beyond that is still refused.
        Assert.Equal(220, Enumerable.Range(0, 1_000).Count(_ => bucket.TryTake()));

        var again = bucket.StartServerTime();
        clock.Advance(TimeSpan.FromSeconds(2));
        bucket.CreditServerTime(again);
        clock.Advance(TimeSpan.FromSeconds(3)); // unused for longer than the work took: gone
        Assert.Equal(20, Enumerable.Range(0, 1_000).Count(_ => bucket.TryTake()));
    }

    [Fact]
    public void Ordinary_handling_time_earns_no_credit()
    {
        var clock = new FakeTimeProvider();
        var bucket = new TokenBucket(clock, perSecond: 100, burst: 20);
        Assert.Equal(20, Enumerable.Range(0, 20).Count(_ => bucket.TryTake()));
        var started = bucket.StartServerTime();
        clock.Advance(TimeSpan.FromMilliseconds(50));
        bucket.CreditServerTime(started);

        Assert.Equal(5, Enumerable.Range(0, 100).Count(_ => bucket.TryTake())); // the 50 ms refill, nothing more
    }
}
