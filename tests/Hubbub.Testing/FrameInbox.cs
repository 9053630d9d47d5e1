using System.Diagnostics;
using System.Text.Json;

namespace Hubbub.Testing;

/// <summary>
/// What a test client (<see cref="WsClient"/>, <see cref="SseClient"/>) received, whatever the transport: every frame
/// (never consumed, with its arrival time) and an inbox that <see cref="NextAsync"/> takes frames from in arrival
/// order. Waits are bounded and wake on every change (a frame, the end of the transport, or <see cref="Signal"/>); a
/// timeout or an early end lists what did arrive.
/// </summary>
/// <param name="who">Prefixes every failure message (e.g. <c>"alice: "</c>), or empty.</param>
/// <param name="ended">Says how the transport ended, for the failure message of a wait that it cut short.</param>
public sealed class FrameInbox(Func<string> who, Func<string> ended)
{
    private readonly List<JsonElement> _frames = [];
    private readonly List<long> _arrivals = [];
    private readonly List<JsonElement> _inbox = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the transport ended (<see cref="End"/>).</summary>
    public bool IsEnded { get; private set; }

    /// <summary>Every frame received so far, consumed or not, in arrival order.</summary>
    public IReadOnlyList<JsonElement> Frames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames];
            }
        }
    }

    /// <summary>Every frame received so far with its arrival time (a <see cref="Stopwatch"/> timestamp).</summary>
    public IReadOnlyList<(JsonElement Frame, long Arrived)> TimedFrames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames.Zip(_arrivals)];
            }
        }
    }

    /// <summary>Records a frame and wakes the waiters.</summary>
    public void Add(JsonElement frame)
    {
        lock (_gate)
        {
            _frames.Add(frame);
            _arrivals.Add(Stopwatch.GetTimestamp());
            _inbox.Add(frame);
        }
        Signal();
    }

    /// <summary>Marks the transport ended and wakes the waiters: waits that are still unmet fail at once.</summary>
    public void End()
    {
        lock (_gate)
        {
            IsEnded = true;
        }
        Signal();
    }

    /// <summary>Wakes every waiter to re-check its condition (something besides a frame changed, e.g. a keep-alive came).</summary>
    public void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        previous.TrySetResult();
    }

    /// <summary>Takes the first unconsumed frame matching <paramref name="match"/>, waiting for it if needed.</summary>
    public async Task<JsonElement> NextAsync(Func<JsonElement, bool>? match = null, TimeSpan? timeout = null)
    {
        match ??= _ => true;
        using var cts = new CancellationTokenSource(timeout ?? WsClient.DefaultWait);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var index = _inbox.FindIndex(f => match(f));
                if (index >= 0)
                {
                    var frame = _inbox[index];
                    _inbox.RemoveAt(index);
                    return frame;
                }
                if (IsEnded)
                {
                    throw new InvalidOperationException($"{who()}{ended()} before the awaited frame arrived; unconsumed: {string.Join(" | ", _inbox)}");
                }
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    throw new TimeoutException($"{who()}no matching frame within {timeout ?? WsClient.DefaultWait}; unconsumed: {string.Join(" | ", _inbox)}");
                }
            }
        }
    }

    /// <summary>Takes the next <paramref name="count"/> publications (frames with an offset) on a channel, in arrival order.</summary>
    public async Task<List<JsonElement>> PublicationsAsync(string channel, int count, TimeSpan? timeout = null)
    {
        var result = new List<JsonElement>(count);
        for (var i = 0; i < count; i++)
        {
            result.Add(await NextAsync(f => f.TryGetProperty("offset", out _) && f.Channel() == channel, timeout));
        }
        return result;
    }

    /// <summary>The frames received and not yet taken that match.</summary>
    public List<JsonElement> Pending(Func<JsonElement, bool> match)
    {
        lock (_gate)
        {
            return _inbox.Where(match).ToList();
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking it on every change (bounded).</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        using var deadline = new CancellationTokenSource(within ?? WsClient.DefaultWait);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }
            if (condition())
            {
                return;
            }
            if (IsEnded)
            {
                throw new InvalidOperationException($"{who()}{ended()} while waiting for {what}. Frames:\n{string.Join("\n", Frames)}");
            }
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{who()}no {what} within {within ?? WsClient.DefaultWait}. Frames:\n{string.Join("\n", Frames)}");
            }
        }
    }
}
