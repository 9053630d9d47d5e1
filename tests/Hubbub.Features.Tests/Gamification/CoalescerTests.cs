using Hubbub.Features.Gamification;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>The per-board coalescer of <c>leaderboard_change</c>: at most one flush per key per interval, on a fake clock.</summary>
public sealed class CoalescerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task A_quiet_key_flushes_at_once_and_a_burst_after_it_flushes_once_when_the_interval_ends()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000));
        var flushes = new List<(string Key, DateTimeOffset At)>();
        var coalescer = new Coalescer(clock, Interval, key =>
        {
            lock (flushes)
            {
                flushes.Add((key, clock.GetUtcNow()));
            }
            return Task.CompletedTask;
        }, (_, ex) => throw ex);
        var start = clock.GetUtcNow();

        coalescer.Touch("a");
        await WaitForCountAsync(flushes, 1);
        for (var i = 0; i < 50; i++)
        {
            coalescer.Touch("a");
            clock.Advance(TimeSpan.FromMilliseconds(4)); // 200 ms of touches
        }
        coalescer.Touch("b"); // another board is not held back by a
        await WaitForCountAsync(flushes, 2);
        await Task.Delay(100);
        Assert.Equal(2, Count(flushes));
        clock.Advance(TimeSpan.FromMilliseconds(49)); // 249 ms after the first flush
        await Task.Delay(100);
        Assert.Equal(2, Count(flushes));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await WaitForCountAsync(flushes, 3);

        lock (flushes)
        {
            Assert.Equal([("a", start), ("b", start + TimeSpan.FromMilliseconds(200)), ("a", start + Interval)], flushes);
        }
        clock.Advance(TimeSpan.FromSeconds(5));
        await Task.Delay(100);
        Assert.Equal(3, Count(flushes)); // nothing touched, nothing flushed
        coalescer.Touch("a"); // quiet for longer than the interval: at once
        await WaitForCountAsync(flushes, 4);
    }

    [Fact]
    public async Task A_slow_flush_holds_the_next_one_an_interval_after_its_end()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000));
        var flushes = new List<(string Key, DateTimeOffset At)>();
        var coalescer = new Coalescer(clock, Interval, key =>
        {
            var started = clock.GetUtcNow();
            if (Count(flushes) == 0)
            {
                clock.Advance(TimeSpan.FromMilliseconds(100)); // the first flush's read takes 100 ms
            }
            lock (flushes)
            {
                flushes.Add((key, started));
            }
            return Task.CompletedTask;
        }, (_, ex) => throw ex);
        var start = clock.GetUtcNow();

        coalescer.Touch("a");
        await WaitForCountAsync(flushes, 1); // ran from 0 to 100 ms
        coalescer.Touch("a"); // due 250 ms after the first began, but that is 150 ms after its rows went out
        clock.Advance(TimeSpan.FromMilliseconds(150));
        await Task.Delay(100);
        Assert.Equal(1, Count(flushes));
        clock.Advance(TimeSpan.FromMilliseconds(99)); // 349 ms
        await Task.Delay(100);
        Assert.Equal(1, Count(flushes));
        clock.Advance(TimeSpan.FromMilliseconds(1)); // 350 ms: an interval after the first one ended
        await WaitForCountAsync(flushes, 2);
        lock (flushes)
        {
            Assert.Equal(start + TimeSpan.FromMilliseconds(350), flushes[1].At);
        }
    }

    [Fact]
    public async Task A_failing_flush_is_reported_and_the_key_goes_on()
    {
        var clock = new FakeTimeProvider();
        var failures = 0;
        var runs = 0;
        var coalescer = new Coalescer(clock, Interval, _ => Interlocked.Increment(ref runs) == 1
            ? throw new InvalidOperationException("down") : Task.CompletedTask, (_, _) => Interlocked.Increment(ref failures));
        coalescer.Touch("a");
        await WaitForAsync(() => Volatile.Read(ref failures) == 1);
        coalescer.Touch("a");
        clock.Advance(Interval);
        await WaitForAsync(() => Volatile.Read(ref runs) == 2);
    }

    [Fact]
    public async Task A_flush_held_elsewhere_runs_again_when_the_hold_ends_without_restarting_the_interval()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000));
        var flushes = new List<(string Key, DateTimeOffset At)>();
        var coalescer = new Coalescer(clock, Interval, key =>
        {
            lock (flushes)
            {
                flushes.Add((key, clock.GetUtcNow()));
                // The first run finds the key's turn held by another node for 100 ms: it sent nothing.
                return Task.FromResult(flushes.Count == 1 ? TimeSpan.FromMilliseconds(100) : TimeSpan.Zero);
            }
        }, (_, ex) => throw ex);
        var start = clock.GetUtcNow();

        coalescer.Touch("a");
        await WaitForCountAsync(flushes, 1);
        coalescer.Touch("a"); // gathered into the run after the hold
        clock.Advance(TimeSpan.FromMilliseconds(99));
        await Task.Delay(100);
        Assert.Equal(1, Count(flushes));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await WaitForCountAsync(flushes, 2);
        await Task.Delay(100);
        lock (flushes)
        {
            Assert.Equal([("a", start), ("a", start + TimeSpan.FromMilliseconds(100))], flushes);
        }
    }

    private static int Count(List<(string, DateTimeOffset)> flushes)
    {
        lock (flushes)
        {
            return flushes.Count;
        }
    }

    private static Task WaitForCountAsync(List<(string, DateTimeOffset)> flushes, int count) => WaitForAsync(() => Count(flushes) >= count);

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in time");
            await Task.Delay(10);
        }
    }
}
