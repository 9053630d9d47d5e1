using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Hubbub.Storage;

/// <summary>
/// The writer's connection as its transactions' work sees it: the same <see cref="SqliteConnection"/>, except that the
/// commands it creates (Dapper creates one per call) run on statements kept in <see cref="SqliteStatementCache"/> instead
/// of compiling their SQL each time. Everything else goes straight to the connection underneath.
/// </summary>
internal sealed class CachingSqliteConnection(SqliteStatementCache cache) : DbConnection
{
    private SqliteConnection Inner => cache.Connection;

    /// <summary>The writer's kept statements, for <see cref="Statement"/>s run on their compiled form.</summary>
    internal SqliteStatementCache Statements => cache;

    /// <inheritdoc />
    [AllowNull]
    public override string ConnectionString
    {
        get => Inner.ConnectionString;
        set => throw new NotSupportedException("the writer's connection is opened once");
    }

    /// <inheritdoc />
    public override string Database => Inner.Database;

    /// <inheritdoc />
    public override string DataSource => Inner.DataSource;

    /// <inheritdoc />
    public override string ServerVersion => Inner.ServerVersion;

    /// <inheritdoc />
    public override ConnectionState State => Inner.State;

    /// <inheritdoc />
    public override void ChangeDatabase(string databaseName) => Inner.ChangeDatabase(databaseName);

    /// <inheritdoc />
    public override void Close() => throw new NotSupportedException("the writer's connection is closed by the writer");

    /// <inheritdoc />
    public override void Open() => throw new NotSupportedException("the writer's connection is opened by the writer");

    /// <inheritdoc />
    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) =>
        throw new NotSupportedException("the writer's transaction is begun by the writer");

    /// <inheritdoc />
    protected override DbCommand CreateDbCommand() => _free.TryPop(out var command) ? command.Rented() : new CachedSqliteCommand(cache, this);

    // Commands disposed by their caller, kept for the next: Dapper creates and disposes one per statement, and each was
    // an object, a parameter collection and its list to collect on the writer thread. Used by one thread at a time, as
    // the connection is; a few suffice (a command is rarely open while another runs: a reader's rows read with a query each).
    private readonly Stack<CachedSqliteCommand> _free = new();

    /// <summary>Keeps a disposed command for reuse (reset by it before).</summary>
    internal void Release(CachedSqliteCommand command)
    {
        if (_free.Count < 8)
        {
            _free.Push(command);
        }
    }
}

/// <summary>
/// A command of <see cref="CachingSqliteConnection"/>: setting its text rents the kept command of that text (or a new one),
/// and disposing it hands that back. Dapper sets the transaction, then the text, then the parameters, then executes.
/// Disposed, it is reset and kept by its connection for the next <c>CreateCommand</c> (a second dispose does nothing).
/// </summary>
internal sealed class CachedSqliteCommand(SqliteStatementCache cache, CachingSqliteConnection connection) : DbCommand
{
    private SqliteCommand? _inner;

    // The parameters belong to this command, not to the kept command of its current text: Dapper expands a list
    // parameter (`IN @ids` into `IN (@ids1, @ids2, …)`) by changing the text after it took the collection and added
    // some, and goes on adding to the collection it took. They are handed to the kept command when it runs.
    private readonly SqliteParameterCollection _parameters = new SqliteCommand().Parameters;
    private DbTransaction? _transaction;
    private int? _timeout;
    private bool _failed;
    private bool _released;

    private SqliteCommand Inner => _inner ?? throw new InvalidOperationException("set CommandText before using the command");

    /// <inheritdoc />
    [AllowNull]
    public override string CommandText
    {
        get => _inner?.CommandText ?? "";
        set
        {
            if (_inner is not null)
            {
                cache.Return(_inner, _failed);
            }
            _inner = cache.Rent(value ?? "");
            _inner.Transaction = (SqliteTransaction?)_transaction;
            if (_timeout is { } timeout)
            {
                _inner.CommandTimeout = timeout;
            }
        }
    }

    /// <inheritdoc />
    public override int CommandTimeout
    {
        get => _timeout ?? _inner?.CommandTimeout ?? 30;
        set
        {
            _timeout = value;
            _inner?.CommandTimeout = value;
        }
    }

    /// <inheritdoc />
    public override CommandType CommandType
    {
        get => CommandType.Text;
        set
        {
            if (value != CommandType.Text)
            {
                throw new NotSupportedException("SQLite runs text commands only");
            }
        }
    }

    /// <inheritdoc />
    public override bool DesignTimeVisible { get; set; }

    /// <inheritdoc />
    public override UpdateRowSource UpdatedRowSource { get; set; }

    /// <inheritdoc />
    protected override DbConnection? DbConnection
    {
        get => connection;
        set => throw new NotSupportedException("a command of the writer's connection stays on it");
    }

    /// <inheritdoc />
    protected override DbParameterCollection DbParameterCollection => _parameters;

    /// <inheritdoc />
    protected override DbTransaction? DbTransaction
    {
        get => _transaction;
        set
        {
            _transaction = value;
            _inner?.Transaction = (SqliteTransaction?)value;
        }
    }

    /// <inheritdoc />
    public override void Cancel() => _inner?.Cancel();

    /// <inheritdoc />
    public override void Prepare() => Inner.Prepare();

    /// <inheritdoc />
    protected override DbParameter CreateDbParameter() => new SqliteParameter();

    /// <inheritdoc />
    public override int ExecuteNonQuery() => Run(0, static (c, _) => c.ExecuteNonQuery());

    /// <inheritdoc />
    public override object? ExecuteScalar() => Run(0, static (c, _) => c.ExecuteScalar());

    /// <inheritdoc />
    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => Run(behavior, static (c, b) => c.ExecuteReader(b));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_released)
        {
            if (_inner is not null)
            {
                cache.Return(_inner, _failed);
                _inner = null;
            }
            _parameters.Clear();
            _transaction = null;
            _timeout = null;
            _failed = false;
            DesignTimeVisible = false;
            UpdatedRowSource = default;
            _released = true;
            connection.Release(this);
        }
        base.Dispose(disposing);
    }

    /// <summary>Taken again from its connection's kept commands.</summary>
    internal CachedSqliteCommand Rented()
    {
        _released = false;
        return this;
    }

    // The argument is passed, not captured, and the parameters walked by index: a closure and a boxed enumerator per
    // statement were garbage on the writer thread.
    private T Run<TArgument, T>(TArgument argument, Func<SqliteCommand, TArgument, T> execute)
    {
        try
        {
            var inner = Inner;
            inner.Parameters.Clear();
            for (var i = 0; i < _parameters.Count; i++)
            {
                inner.Parameters.Add(_parameters[i]);
            }
            cache.NameParameters(inner);
            return execute(inner, argument);
        }
        catch
        {
            _failed = true; // not kept: whatever state the failure left its statements in goes with it
            throw;
        }
    }
}
