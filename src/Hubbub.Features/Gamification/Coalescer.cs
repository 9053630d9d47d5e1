namespace Hubbub.Features.Gamification;

/// <summary>
/// Runs a flush per key at most once per <c>interval</c> on a <see cref="TimeProvider"/>: the first touch of a quiet key
/// flushes at once, touches within the interval after a flush are gathered into one flush when the interval ends.
/// Flushes of one key never overlap, and one starts no sooner than <c>interval</c> after the previous one ended, so what
/// two flushes send is an interval apart even when the first was slow. A failing flush is reported to <c>failed</c> and the key goes on.
/// A flush may answer that the key is held elsewhere (another node's turn) for a while: it then sent nothing, the
/// interval does not restart, and it runs again when that while ends (touches meanwhile are gathered into it).
/// </summary>
internal sealed class Coalescer(TimeProvider time, TimeSpan interval, Func<string, Task<TimeSpan>> flush, Action<string, Exception> failed)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, KeyState> _keys = new(StringComparer.Ordinal);

    /// <summary>A coalescer whose flushes always run (no key is ever held elsewhere).</summary>
    public Coalescer(TimeProvider time, TimeSpan interval, Func<string, Task> flush, Action<string, Exception> failed)
        : this(time, interval, async key =>
        {
            await flush(key);
            return TimeSpan.Zero;
        }, failed)
    {
    }

    /// <summary>Asks for a flush of <paramref name="key"/>: now, or when its interval since the last one ends.</summary>
    public void Touch(string key)
    {
        TimeSpan delay;
        KeyState state;
        lock (_gate)
        {
            if (!_keys.TryGetValue(key, out state!))
            {
                _keys[key] = state = new KeyState();
            }
            if (state.Pending)
            {
                return; // the scheduled flush will see this touch's change
            }
            state.Pending = true;
            var now = time.GetUtcNow();
            delay = state.LastFlush is { } last && last + interval > now ? last + interval - now : TimeSpan.Zero;
            if (delay > TimeSpan.Zero)
            {
                state.Timer = time.CreateTimer(_ => Fire(key, state), null, delay, Timeout.InfiniteTimeSpan);
                return;
            }
        }
        Fire(key, state);
    }

    private void Fire(string key, KeyState state)
    {
        lock (_gate)
        {
            state.Pending = false;
            state.LastFlush = time.GetUtcNow();
            state.Timer?.Dispose();
            state.Timer = null;
            // After the previous flush of the key, never beside it.
            state.Tail = RunAfterAsync(state.Tail, key, state);
        }
    }

    private async Task RunAfterAsync(Task previous, string key, KeyState state)
    {
        await previous;
        await Task.Yield(); // never on the toucher's flow: it is a committing request
        // The interval counts from the end of the previous flush, when its rows went out: a flush that read slowly must
        // not bring the next one's rows nearer to its own than the interval (FEATURES.md: at most one per 250 ms).
        TimeSpan wait;
        lock (_gate)
        {
            wait = state.LastEnd is { } end ? end + interval - time.GetUtcNow() : TimeSpan.Zero;
        }
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time);
        }
        var held = TimeSpan.Zero;
        try
        {
            held = await flush(key);
        }
#pragma warning disable CA1031 // Nobody awaits a flush: its failure is reported and the next touch flushes again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failed(key, ex);
        }
        finally
        {
            lock (_gate)
            {
                if (held <= TimeSpan.Zero)
                {
                    state.LastEnd = time.GetUtcNow();
                }
                else if (!state.Pending)
                {
                    // Nothing went out: again when the holder's while ends.
                    state.Pending = true;
                    state.Timer = time.CreateTimer(_ => Fire(key, state), null, held, Timeout.InfiniteTimeSpan);
                }
                else
                {
                    // A touch meanwhile timed its run from this attempt as if it had sent: it runs when the hold ends instead.
                    state.Timer?.Change(held, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    private sealed class KeyState
    {
        public bool Pending;
        public DateTimeOffset? LastFlush;
        public DateTimeOffset? LastEnd;
        public ITimer? Timer;
        public Task Tail = Task.CompletedTask;
    }
}
