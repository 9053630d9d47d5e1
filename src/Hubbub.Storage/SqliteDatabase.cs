using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Hubbub.Storage;

/// <summary>
/// The embedded database: one SQLite file, shared safely by the server's concurrent requests.
/// The file is in WAL mode (readers never wait for the writer; set once, it persists in the file), every
/// connection waits up to <see cref="StorageOptions.SqliteBusyTimeoutMs"/> for the single write lock, and
/// transactions begin IMMEDIATE so a transaction that reads and then writes cannot fail on lock upgrade. This process's
/// writes run on one writer thread in arrival order, committed in groups (<see cref="SqliteWriter"/>), not each in SQLite's
/// sleeping busy handler.
/// </summary>
public sealed class SqliteDatabase : Database, IDisposable
{
    private readonly string _connectionString;
    private readonly string _connectionPragmas;
    private readonly SqliteWriter? _writer;
    private readonly SqliteCheckpointer? _checkpointer;
    private readonly int _pageSize;
    private volatile bool _directoryReady;

    /// <summary>Creates the database object; the file (and its folder) are created on first open.</summary>
    /// <param name="settings">Where the file is.</param>
    /// <param name="busyTimeoutMs">How long a writer waits for the write lock (SQLite's <c>busy_timeout</c>, and the queue's bound).</param>
    /// <param name="queueWriters">Run this process's writes on one writer thread in arrival order (<see cref="SqliteWriter"/>;
    /// <see cref="StorageOptions.SqliteQueueWriters"/>) instead of each on a connection of its own waiting in SQLite's busy handler.</param>
    /// <param name="maxGroup">Most writes the writer commits together (<see cref="StorageOptions.SqliteGroupCommit"/>).</param>
    /// <param name="statementCache">Most prepared statements the writer keeps (<see cref="StorageOptions.SqliteStatementCache"/>).</param>
    /// <param name="backgroundCheckpoint">Checkpoint on a thread of its own, not in the writer's commits (<see cref="StorageOptions.SqliteBackgroundCheckpoint"/>).</param>
    /// <param name="autoCheckpointPages">The log's size that makes a commit checkpoint (<see cref="StorageOptions.SqliteAutoCheckpointPages"/>).</param>
    /// <param name="writerCacheKiB">The writer connection's page cache in KiB, 0 for SQLite's default (<see cref="StorageOptions.SqliteWriterCacheKiB"/>).</param>
    /// <param name="pageSize">Page size of a file created here, 0 for SQLite's default (<see cref="StorageOptions.SqlitePageSize"/>).</param>
    public SqliteDatabase(StorageSettings settings, int busyTimeoutMs, bool queueWriters = true, int maxGroup = 64, int statementCache = 256,
        bool backgroundCheckpoint = false, int autoCheckpointPages = 1000, int writerCacheKiB = 0, int pageSize = 0)
        : base(settings)
    {
        _pageSize = pageSize;
        _connectionString = settings.ConnectionString;
        // synchronous=NORMAL is durable against application crashes in WAL mode and much faster than FULL;
        // a power loss may lose the last transactions, never corrupt the file.
        _connectionPragmas = $"PRAGMA busy_timeout = {busyTimeoutMs}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = {autoCheckpointPages};";
        // A writer used to wait up to busy_timeout inside SQLite, then Microsoft.Data.Sqlite retried the busy statement
        // until the command timeout ("Default Timeout", 30 s unless the connection string says otherwise): a queued
        // write may wait as long before it fails as "database is locked".
        var commandTimeoutMs = new SqliteConnectionStringBuilder(_connectionString).DefaultTimeout * 1000;
        _checkpointer = queueWriters && backgroundCheckpoint ? new SqliteCheckpointer(() => Open(null)) : null;
        // With the checkpointer, the writer's own automatic checkpoint is only the bound on the log's growth.
        var writerPragmas = (_checkpointer is null ? "" : $"PRAGMA wal_autocheckpoint = {SqliteCheckpointer.WriterBoundPages};")
            + (writerCacheKiB > 0 ? $"PRAGMA cache_size = -{writerCacheKiB};" : "");
        _writer = queueWriters
            ? new SqliteWriter(() => Open(writerPragmas), busyTimeoutMs + commandTimeoutMs, Math.Max(1, maxGroup), statementCache, _checkpointer)
            : null;
    }

    /// <inheritdoc />
    public override Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Microsoft.Data.Sqlite opens and executes synchronously whichever method is called.
        return Task.FromResult<DbConnection>(Open(null));
    }

    /// <summary>Opens a pooled connection and sets this database's pragmas on it, and <paramref name="extraPragmas"/> when given.</summary>
    private SqliteConnection Open(string? extraPragmas)
    {
        if (!_directoryReady)
        {
            // SQLite creates the file but not its folder; done on first use rather than in the constructor.
            if (Path.GetDirectoryName(new SqliteConnectionStringBuilder(_connectionString).DataSource) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }
            _directoryReady = true;
        }
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = extraPragmas is null ? _connectionPragmas : _connectionPragmas + " " + extraPragmas;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The writer's statements compiled and reused so far (0, 0 without a writer or cache); for tests.</summary>
    internal (long Prepared, long Reused) WriterStatements => _writer?.StatementCounts ?? (0, 0);

    /// <summary>Stops the writer thread once what is queued has run (the host's container disposes the database on stop).</summary>
    public void Dispose()
    {
        _writer?.Dispose();
        _checkpointer?.Dispose();
    }

    /// <summary>
    /// Switches the file to WAL mode; called once before migrations (the mode persists in the file). A file still empty
    /// (just created) first gets the configured page size; SQLite ignores it for a file that has any table, and cannot
    /// change it once in WAL mode, so an existing database keeps its own.
    /// </summary>
    public async Task EnableWriteAheadLogAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        if (_pageSize > 0)
        {
            command.CommandText = $"PRAGMA page_size = {_pageSize};";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        command.CommandText = "PRAGMA journal_mode = WAL;";
        var mode = (string?)await command.ExecuteScalarAsync(cancellationToken);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL mode (journal_mode is '{mode}'); the file system may not support it.");
        }
    }

    /// <inheritdoc />
    protected override Task<T>? TryQueueWrite<T>(Func<DatabaseTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        _writer?.TryRun(work, cancellationToken);

    /// <inheritdoc />
    protected override ValueTask<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // deferred: false → BEGIN IMMEDIATE: take the write lock now (waiting up to busy_timeout), not at the
        // first write, where SQLite would fail at once with SQLITE_BUSY instead of waiting.
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    /// <inheritdoc />
    protected override ValueTask<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // deferred: true → BEGIN: no lock until the first read, then a WAL snapshot that never waits for the writer.
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));
}
