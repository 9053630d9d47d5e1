using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Hubbub.Storage;

/// <summary>
/// This process's SQLite writer: one thread with one open connection runs every write transaction in arrival order,
/// and commits the transactions that queued up while the previous commit ran together (group commit), each inside a
/// savepoint of its own. Why: SQLite admits one writer at a time. Left to SQLite, every waiting writer sits in its busy
/// handler, which sleeps a thread-pool thread in growing steps (up to 100 ms) and retries, so under many concurrent
/// writers the lock stays idle between a commit and the next sleeper's wake-up and the pool starves; an async queue
/// fixes that but still hands each turn over through the busy thread pool. Here the next transaction begins the moment
/// the previous one ends, on a thread that does nothing else, on a connection opened once.
/// <para>
/// Guarantees are those of one transaction per call: a call returns only after the commit that holds its work; a call
/// whose work throws is rolled back to its savepoint alone (its caller gets the exception, the others of the group
/// commit); a failed commit fails every call of the group, and nothing of it stays. Calls run one at a time in arrival
/// order, each seeing the writes of those before it, exactly as consecutive transactions would.
/// <c>busy_timeout</c> still guards against other processes (the <c>migrate</c> verb, a backup tool); a call that could
/// not start within the wait a writer had before (busy_timeout, then Microsoft.Data.Sqlite's retries until the command
/// timeout) fails like SQLite's own ("database is locked"). A write begun inside another write's work (which
/// could never be granted while the outer one holds the lock) does not queue here: the caller runs it the old way, and
/// it meets SQLite's busy timeout, rather than waiting for itself forever.
/// </para>
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    private const int SqliteBusy = 5;

    private readonly Func<SqliteConnection> _open;
    private readonly int _timeoutMs;
    private readonly int _maxGroup;
    private readonly int _statementCache;
    private readonly SqliteCheckpointer? _checkpointer;
    private readonly Queue<Call> _queue = new();
    private readonly AsyncLocal<bool> _inside = new();
    private SqliteConnection? _connection;
    private SqliteStatementCache? _statements;
    private long _countedCommands; // the cache's commands already added to StorageMetrics
    private DbConnection? _workConnection;
    private bool _stopping;

    /// <param name="open">Opens and configures a connection (pragmas), synchronously.</param>
    /// <param name="timeoutMs">How long a call may wait to start.</param>
    /// <param name="maxGroup">Most calls committed together (1: a transaction per call).</param>
    /// <param name="statementCache">Most prepared statements kept by SQL text (<see cref="SqliteStatementCache"/>; 0: none).</param>
    /// <param name="checkpointer">Told of each commit, to checkpoint off this thread (null: SQLite's automatic checkpoint in the commit).</param>
    public SqliteWriter(Func<SqliteConnection> open, int timeoutMs, int maxGroup, int statementCache = 0, SqliteCheckpointer? checkpointer = null)
    {
        _checkpointer = checkpointer;
        _open = open;
        _timeoutMs = timeoutMs;
        _maxGroup = maxGroup;
        _statementCache = statementCache;
        new Thread(Loop) { IsBackground = true, Name = "Hubbub SQLite writer" }.Start();
    }

    /// <summary>Queues <paramref name="work"/>; null when called from inside a write's work (the caller then runs it itself).</summary>
    public Task<T>? TryRun<T>(Func<DatabaseTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        if (_inside.Value)
        {
            return null;
        }
        var call = new Call<T>(work, this, cancellationToken);
        call.Watch(_timeoutMs); // before it can start, so a started call's watch is always stopped
        lock (_queue)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _queue.Enqueue(call);
            Monitor.Pulse(_queue);
        }
        return call.Task;
    }

    /// <summary>Ends the thread once the calls queued so far have run (a database of a stopped host), and closes its connection.</summary>
    public void Dispose()
    {
        lock (_queue)
        {
            _stopping = true;
            Monitor.Pulse(_queue);
        }
    }

    private void Loop()
    {
        var group = new List<Call>(_maxGroup);
        while (true)
        {
            group.Clear();
            lock (_queue)
            {
                while (_queue.Count == 0)
                {
                    if (_stopping)
                    {
                        CloseConnection();
                        return;
                    }
                    Monitor.Wait(_queue);
                }
                while (group.Count < _maxGroup && _queue.TryDequeue(out var next))
                {
                    // A call that timed out or was cancelled while queued is already answered: it must not run.
                    if (next.TryStart())
                    {
                        group.Add(next);
                    }
                }
            }
            if (group.Count > 0)
            {
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                RunGroup(group);
                StorageMetrics.WriterAllocated(GC.GetAllocatedBytesForCurrentThread() - allocated);
            }
        }
    }

    private void RunGroup(List<Call> group)
    {
        var done = new List<Call>(group.Count);
        try
        {
            if (_connection is null)
            {
                _connection = _open();
                _statements = _statementCache > 0 ? new SqliteStatementCache(_connection, _statementCache) : null;
                _countedCommands = 0;
                _workConnection = _statements is null ? _connection : new CachingSqliteConnection(_statements);
            }
            // BEGIN IMMEDIATE: the lock is taken now (other processes' writers wait up to busy_timeout).
            using var transaction = _connection.BeginTransaction(deferred: false);
            var savepoints = group.Count > 1;
            var rolledBack = false;
            // Each call in a savepoint of its own, so a failing one is undone alone. The savepoint of a call that succeeded
            // is released by the command that opens the next call's (one command instead of two: each pays the driver's
            // fixed cost on this one thread), and the last one by the COMMIT, which releases every savepoint.
            var open = false;
            foreach (var call in group)
            {
                if (savepoints)
                {
                    Execute(transaction, open ? "RELEASE SAVEPOINT hubbub_write; SAVEPOINT hubbub_write" : "SAVEPOINT hubbub_write");
                    open = true;
                }
                try
                {
                    call.Run(new DatabaseTransaction(_workConnection!, transaction, DatabaseProvider.Sqlite));
                    done.Add(call);
                }
#pragma warning disable CA1031 // The call's own failure goes to its caller; the group goes on without it.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    // Undoes this call's work alone. If SQLite already ended the transaction (a full disk, an I/O error),
                    // this throws and the whole group fails below, none of it committed.
                    if (savepoints)
                    {
                        Execute(transaction, "ROLLBACK TO SAVEPOINT hubbub_write; RELEASE SAVEPOINT hubbub_write");
                        open = false;
                    }
                    else
                    {
                        transaction.Rollback();
                        rolledBack = true;
                    }
                    call.Fail(ex);
                }
            }
            var committed = done.Count > 0 && !rolledBack;
            if (committed)
            {
                transaction.Commit();
                _checkpointer?.Committed();
            }
            CountPages(group.Count, committed);
        }
#pragma warning disable CA1031 // Nothing of the group committed: every call that had not failed on its own fails with this.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var call in group.Where(c => !c.Answered))
            {
                call.Fail(ex);
            }
            // The connection may be in any state now: the next group opens a fresh one.
            CloseConnection();
            return;
        }
        foreach (var call in done)
        {
            call.Complete();
        }
    }

    /// <summary>What the writer's connection has compiled and reused (<see cref="SqliteStatementCache"/>), for tests.</summary>
    internal (long Prepared, long Reused) StatementCounts => _statements is { } s ? (s.Prepared, s.Reused) : (0, 0);

    private void CloseConnection()
    {
        _statements?.Dispose();
        _statements = null;
        _workConnection = null;
        _connection?.Dispose();
        _connection = null;
    }

    /// <summary>
    /// Adds the pages the group wrote to the log and read from the file (SQLite's counters of this connection, read and
    /// reset) to <see cref="StorageMetrics"/>: a cost per write that the machine's load does not move.
    /// </summary>
    private void CountPages(int writes, bool committed)
    {
        var db = _connection!.Handle;
        SQLitePCL.raw.sqlite3_db_status(db, SQLitePCL.raw.SQLITE_DBSTATUS_CACHE_WRITE, out var written, out _, 1);
        SQLitePCL.raw.sqlite3_db_status(db, SQLitePCL.raw.SQLITE_DBSTATUS_CACHE_MISS, out var read, out _, 1);
        // Every command the writer runs is rented from the cache (BEGIN and COMMIT are the driver's own, not counted).
        var commands = _statements is { } s ? s.Prepared + s.Reused : 0;
        StorageMetrics.WriterGroup(written, read, writes, committed, commands - _countedCommands);
        _countedCommands = commands;
    }

    private void Execute(DbTransaction transaction, string sql)
    {
        using var command = _workConnection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>One queued call: queued → running (the writer took it) or answered early (timed out, cancelled).</summary>
    private abstract class Call
    {
        private const int Queued = 0, Started = 1, Abandoned = 2;
        private int _state;

        public abstract bool Answered { get; }

        public bool TryStart() => Interlocked.CompareExchange(ref _state, Started, Queued) == Queued;

        protected bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Queued) == Queued;

        public abstract void Run(DatabaseTransaction transaction);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

#pragma warning disable CA1001 // The timer and registration are disposed when the call starts, fails, or is abandoned (StopWatching).
    private sealed class Call<T>(Func<DatabaseTransaction, Task<T>> work, SqliteWriter writer, CancellationToken cancellationToken) : Call
    {
        // The caller's flow (its AsyncLocals: logging scopes, activity) runs the work, as it would have run it itself.
        private readonly ExecutionContext? _context = ExecutionContext.Capture();
        private readonly TaskCompletionSource<T> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private CancellationTokenRegistration _cancelled;
        private Timer? _timer;

#pragma warning restore CA1001
        public Task<T> Task => _answer.Task;

        public override bool Answered => _answer.Task.IsCompleted;

        public void Watch(int timeoutMs)
        {
            _cancelled = cancellationToken.Register(() =>
            {
                if (TryAbandon())
                {
                    _answer.TrySetCanceled(cancellationToken);
                    _timer?.Dispose();
                }
            });
            if (timeoutMs <= 0)
            {
                return; // busy_timeout 0: SQLite would not wait either, but a queue cannot refuse at once; no bound
            }
            _timer = new Timer(_ =>
            {
                if (TryAbandon())
                {
                    _answer.TrySetException(new SqliteException(
                        $"database is locked: waited {timeoutMs} ms (Storage:SqliteBusyTimeoutMs and the command timeout) for this node's writers ahead", SqliteBusy));
                    StopWatching();
                }
            }, null, timeoutMs, Timeout.Infinite);
        }

        public override void Run(DatabaseTransaction transaction)
        {
            StopWatching();
            cancellationToken.ThrowIfCancellationRequested();
            Task<T>? task = null;
            if (_context is null)
            {
                task = Start(transaction);
            }
            else
            {
                ExecutionContext.Run(_context, _ => task = Start(transaction), null);
            }
            // SQLite's calls complete synchronously, so this rarely blocks; when the work truly awaits, the writer waits
            // for it, as the write lock would have anyway.
            _result = task!.GetAwaiter().GetResult();
        }

        public override void Complete() => _answer.TrySetResult(_result!);

        public override void Fail(Exception exception)
        {
            StopWatching();
            _answer.TrySetException(exception);
        }

        private Task<T> Start(DatabaseTransaction transaction)
        {
            writer._inside.Value = true; // on the caller's captured flow only: marks writes begun inside this work
            return work(transaction);
        }

        private void StopWatching()
        {
            _cancelled.Dispose();
            _timer?.Dispose();
        }
    }
}
