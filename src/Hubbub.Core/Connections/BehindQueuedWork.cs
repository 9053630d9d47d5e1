using System.Runtime.CompilerServices;

namespace Hubbub.Core.Connections;

/// <summary>
/// Awaited, goes on at the end of the thread pool's global queue: behind every work item already queued there, such as
/// the connections' drains (see <see cref="ConnectionHost.SendHeartbeatsAsync"/>). <c>Task.Yield</c> is not that: an
/// async method's continuation after it may be queued to the current worker's own queue, which runs first.
/// </summary>
internal readonly struct BehindQueuedWork : ICriticalNotifyCompletion
{
    /// <summary>The awaitable.</summary>
    public static BehindQueuedWork Instance => default;

    /// <summary>Always goes to the queue.</summary>
    public bool IsCompleted => false;

    /// <summary>The awaiter (this).</summary>
    public BehindQueuedWork GetAwaiter() => this;

    /// <summary>Nothing to return.</summary>
    public void GetResult()
    {
    }

    /// <inheritdoc />
    public void OnCompleted(Action continuation) => ThreadPool.QueueUserWorkItem(static c => c(), continuation, preferLocal: false);

    /// <inheritdoc />
    public void UnsafeOnCompleted(Action continuation) => ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
}
