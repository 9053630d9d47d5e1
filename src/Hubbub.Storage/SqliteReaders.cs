using Microsoft.Data.Sqlite;

namespace Hubbub.Storage;

/// <summary>
/// The connections this process's reads run on, each kept open with its own <see cref="SqliteStatementCache"/>. Why: a
/// read used to open a pooled connection, run the database's pragmas on it (four statements compiled) and compile its
/// query, every time; the contacts read of a user's first connect spent about half its time in <c>sqlite3_prepare_v2</c>
/// (docs/performance.md, idle connections, third pass). Here a read takes an idle reader, whose pragmas were set when it
/// opened and whose statements are kept by SQL text, and gives it back after its transaction.
/// <para>
/// A reader serves one read at a time (its cache is not thread-safe; a read's work may move between threads but never
/// runs twice at once). At most <c>keep</c> idle readers are kept; a read that finds none opens one, and one returned
/// to a full shelf is closed. A read that throws closes its reader: whatever state the failure left it in goes with it.
/// An idle reader holds no transaction, so it never holds back a checkpoint.
/// </para>
/// </summary>
internal sealed class SqliteReaders(Func<SqliteConnection> open, int statementCache, int keep) : IDisposable
{
    private readonly Stack<Reader> _idle = new();
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>Runs <paramref name="work"/> in a deferred transaction (a WAL snapshot from its first read) on an idle reader.</summary>
    public async Task<T> RunAsync<T>(Func<DatabaseTransaction, Task<T>> work, DatabaseProvider provider, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var reader = Rent();
        var ok = false;
        try
        {
            T result;
            // deferred: true → BEGIN: no lock until the first read, then a snapshot that never waits for the writer.
            await using (var transaction = reader.Connection.BeginTransaction(deferred: true))
            {
                result = await work(new DatabaseTransaction(reader.Work, transaction, provider));
                await transaction.CommitAsync(cancellationToken);
            }
            ok = true;
            return result;
        }
        finally
        {
            Return(reader, ok);
        }
    }

    /// <summary>Statements the readers compiled and reused, summed over the idle ones; for tests.</summary>
    internal (long Prepared, long Reused) StatementCounts
    {
        get
        {
            lock (_gate)
            {
                return (_idle.Sum(r => r.Statements.Prepared), _idle.Sum(r => r.Statements.Reused));
            }
        }
    }

    private Reader Rent()
    {
        lock (_gate)
        {
            if (_idle.TryPop(out var idle))
            {
                return idle;
            }
        }
        return new Reader(open(), statementCache);
    }

    private void Return(Reader reader, bool ok)
    {
        if (ok)
        {
            lock (_gate)
            {
                if (!_disposed && _idle.Count < keep)
                {
                    _idle.Push(reader);
                    return;
                }
            }
        }
        reader.Dispose();
    }

    /// <summary>Closes the idle readers; readers still in use are closed when they come back.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            while (_idle.TryPop(out var reader))
            {
                reader.Dispose();
            }
        }
    }

    private sealed class Reader : IDisposable
    {
        public Reader(SqliteConnection connection, int capacity)
        {
            Connection = connection;
            Statements = new SqliteStatementCache(connection, capacity);
            Work = new CachingSqliteConnection(Statements);
        }

        public SqliteConnection Connection { get; }

        public SqliteStatementCache Statements { get; }

        /// <summary>The connection as the read's work sees it: its commands run on kept statements.</summary>
        public CachingSqliteConnection Work { get; }

        public void Dispose()
        {
            Statements.Dispose();
            Connection.Dispose();
        }
    }
}
