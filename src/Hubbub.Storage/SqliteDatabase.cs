using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Hubbub.Storage;

/// <summary>
/// The embedded database: one SQLite file, shared safely by the server's concurrent requests.
/// The file is in WAL mode (readers never wait for the writer; set once, it persists in the file), every
/// connection waits up to <see cref="StorageOptions.SqliteBusyTimeoutMs"/> for the single write lock, and
/// transactions begin IMMEDIATE so a transaction that reads and then writes cannot fail on lock upgrade. This process's
/// writers queue for that lock in an async FIFO first (<see cref="SqliteWriterGate"/>), not in SQLite's sleeping busy handler.
/// </summary>
public sealed class SqliteDatabase : Database
{
    private readonly string _connectionString;
    private readonly string _connectionPragmas;
    private readonly SqliteWriterGate? _writers;
    private volatile bool _directoryReady;

    /// <summary>Creates the database object; the file (and its folder) are created on first open.</summary>
    /// <param name="settings">Where the file is.</param>
    /// <param name="busyTimeoutMs">How long a writer waits for the write lock (SQLite's <c>busy_timeout</c>, and the queue's bound).</param>
    /// <param name="queueWriters">Queue this process's writers in an async FIFO before they ask SQLite for its lock
    /// (<see cref="SqliteWriterGate"/>; <see cref="StorageOptions.SqliteQueueWriters"/>).</param>
    public SqliteDatabase(StorageSettings settings, int busyTimeoutMs, bool queueWriters = true) : base(settings)
    {
        _connectionString = settings.ConnectionString;
        _writers = queueWriters ? new SqliteWriterGate(busyTimeoutMs) : null;
        // synchronous=NORMAL is durable against application crashes in WAL mode and much faster than FULL;
        // a power loss may lose the last transactions, never corrupt the file.
        _connectionPragmas = $"PRAGMA busy_timeout = {busyTimeoutMs}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
    }

    /// <inheritdoc />
    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
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
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = _connectionPragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Switches the file to WAL mode; called once before migrations (the mode persists in the file).</summary>
    public async Task EnableWriteAheadLogAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        var mode = (string?)await command.ExecuteScalarAsync(cancellationToken);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL mode (journal_mode is '{mode}'); the file system may not support it.");
        }
    }

    /// <inheritdoc />
    protected override ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken) =>
        _writers?.EnterAsync(cancellationToken) ?? ValueTask.FromResult<IDisposable?>(null);

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
