namespace Hubbub.Features.Kit;

/// <summary>
/// Wakes a background loop: <see cref="Signal"/> ends the current (or next) <see cref="WaitAsync"/> at once; otherwise it
/// ends after its delay on the <see cref="TimeProvider"/>, so tests drive it with a fake clock.
/// </summary>
internal sealed class Wakeup
{
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes the loop; a signal while it works makes its next wait return at once.</summary>
    public void Signal() => Volatile.Read(ref _signal).TrySetResult();

    /// <summary>Waits for a signal or <paramref name="delay"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        var signal = Volatile.Read(ref _signal);
        if (!signal.Task.IsCompleted)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(signal.Task, Task.Delay(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, time, stop.Token));
            await stop.CancelAsync();
        }
        cancellationToken.ThrowIfCancellationRequested();
        // Reset before the loop works: a signal from now on wakes the next wait.
        Interlocked.CompareExchange(ref _signal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), signal);
    }
}
