using Microsoft.Data.Sqlite;

namespace Hubbub.Storage;

/// <summary>
/// Queues this process's SQLite write transactions for the file's single write lock in an async FIFO, so at most one
/// of them asks SQLite for it at a time. Without it every waiting writer sits in SQLite's busy handler, which sleeps
/// a thread-pool thread in growing steps (up to 100 ms) and retries: with many concurrent writers the lock then stays
/// free between a commit and the next sleeper's wake-up, the pool starves of threads, and throughput and p99 collapse.
/// Queued here, the next writer begins the moment the previous one ended, and a waiting writer holds no thread.
/// <c>busy_timeout</c> still guards against other processes (the <c>migrate</c> verb, a backup tool): this gate is
/// per process, and SQLite still takes its lock. A wait longer than the busy timeout fails like SQLite's own
/// ("database is locked"). A write begun inside another write on the same flow (which SQLite could never grant, the
/// outer one holding the lock) skips the queue and meets SQLite's busy timeout as before, rather than waiting forever.
/// </summary>
#pragma warning disable CA1001 // The semaphore lives as long as the database singleton, and never creates a wait handle (only WaitAsync is used).
internal sealed class SqliteWriterGate(int timeoutMs)
#pragma warning restore CA1001
{
    private const int SqliteBusy = 5;

    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly AsyncLocal<bool> _inside = new();

    /// <summary>
    /// Waits for this writer's turn (FIFO); dispose the result to hand the turn on. Not an async method on purpose: the
    /// flag it sets must land on the caller's flow (an async method's changes to an AsyncLocal end when it returns), so
    /// the work run inside the turn sees it.
    /// </summary>
    public ValueTask<IDisposable?> EnterAsync(CancellationToken cancellationToken)
    {
        if (_inside.Value)
        {
            return ValueTask.FromResult<IDisposable?>(null);
        }
        _inside.Value = true;
        return WaitAsync(cancellationToken);
    }

    private async ValueTask<IDisposable?> WaitAsync(CancellationToken cancellationToken) =>
        await _turn.WaitAsync(timeoutMs, cancellationToken)
            ? new Turn(_turn)
            : throw new SqliteException($"database is locked: waited {timeoutMs} ms (Storage:SqliteBusyTimeoutMs) for this node's writers ahead", SqliteBusy);

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                turn.Release();
            }
        }
    }
}
