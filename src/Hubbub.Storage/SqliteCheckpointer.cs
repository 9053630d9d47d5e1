using Microsoft.Data.Sqlite;

namespace Hubbub.Storage;

/// <summary>
/// Copies the write-ahead log back into the database file on a thread of its own, so the writer does not
/// (<see cref="StorageOptions.SqliteBackgroundCheckpoint"/>, on by default). SQLite's automatic checkpoint runs inside
/// the commit that pushes the log past 1,000 pages, on the committing connection: with one writer thread
/// (<see cref="SqliteWriter"/>) every write queued behind that commit waits while it copies the pages and syncs the file.
/// Here a <c>PASSIVE</c> checkpoint (it never blocks the writer or readers, and copies what no reader still needs) runs
/// at most every <see cref="MinIntervalMs"/> after the writer committed; the writer keeps SQLite's automatic checkpoint
/// only as a bound, at a higher threshold (<see cref="WriterBoundPages"/>): should this thread fall behind (or fail), the
/// log still stops growing there. Durability is unchanged: a commit is durable once in the log (WAL,
/// <c>synchronous=NORMAL</c>), whoever copies it later.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>Least time between two checkpoints, so a busy writer's commits share one (each syncs the file).</summary>
    public const int MinIntervalMs = 50;

    /// <summary>The writer's own automatic checkpoint threshold in pages (SQLite's default is 1,000).</summary>
    public const int WriterBoundPages = 8_000;

    private readonly Func<SqliteConnection> _open;
    private readonly object _gate = new();
    private bool _committed;
    private bool _stopping;

    /// <param name="open">Opens and configures a connection (pragmas), synchronously.</param>
    public SqliteCheckpointer(Func<SqliteConnection> open)
    {
        _open = open;
        new Thread(Loop) { IsBackground = true, Name = "Hubbub SQLite checkpointer" }.Start();
    }

    /// <summary>The writer committed: a checkpoint is due (soon, not at once).</summary>
    public void Committed()
    {
        lock (_gate)
        {
            if (!_committed)
            {
                _committed = true;
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <summary>Ends the thread; what is not yet copied stays in the log, which SQLite checkpoints when the last connection closes.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }
    }

    private void Loop()
    {
        SqliteConnection? connection = null;
        try
        {
            while (true)
            {
                lock (_gate)
                {
                    while (!_committed && !_stopping)
                    {
                        Monitor.Wait(_gate);
                    }
                    if (_stopping)
                    {
                        return;
                    }
                    _committed = false;
                }
                try
                {
                    connection ??= _open();
                    using var command = connection.CreateCommand();
                    command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                    command.ExecuteNonQuery();
                }
#pragma warning disable CA1031 // A failed checkpoint loses nothing (the log keeps every commit); the writer's bound still checkpoints.
                catch (Exception)
#pragma warning restore CA1031
                {
                    connection?.Dispose();
                    connection = null;
                }
                Thread.Sleep(MinIntervalMs);
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }
}
