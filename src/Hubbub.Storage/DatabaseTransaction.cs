using System.Data.Common;
using Dapper;

namespace Hubbub.Storage;

/// <summary>
/// An open transaction handed to work run by <see cref="IDatabase.InTransactionAsync{T}"/>. Its Dapper shortcuts
/// always pass the transaction, which both ADO.NET providers require for commands on its connection.
/// Parameters are named <c>@name</c> in SQL on both engines.
/// </summary>
public sealed class DatabaseTransaction(DbConnection connection, DbTransaction transaction, DatabaseProvider provider)
{
    /// <summary>The connection the transaction runs on.</summary>
    public DbConnection Connection { get; } = connection;

    /// <summary>The transaction itself, for Dapper calls not covered here.</summary>
    public DbTransaction Transaction { get; } = transaction;

    /// <summary>The engine in use.</summary>
    public DatabaseProvider Provider { get; } = provider;

    /// <summary>
    /// Append to a <c>SELECT</c> whose rows this transaction will update after reading them: <c>" FOR UPDATE"</c> on
    /// PostgreSQL (the rows stay locked until commit), empty on SQLite, whose transactions already hold the write lock.
    /// </summary>
    public string ForUpdate => Provider == DatabaseProvider.Postgres ? " FOR UPDATE" : "";

    /// <summary>Executes a statement; returns the number of rows it changed.</summary>
    public Task<int> ExecuteAsync(string sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        Connection.ExecuteAsync(Command(sql, parameters, cancellationToken));

    /// <summary>Runs a query and maps each row to <typeparamref name="T"/>.</summary>
    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        Connection.QueryAsync<T>(Command(sql, parameters, cancellationToken));

    /// <summary>Runs a query expected to return exactly one row (throws otherwise).</summary>
    public Task<T> QuerySingleAsync<T>(string sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        Connection.QuerySingleAsync<T>(Command(sql, parameters, cancellationToken));

    /// <summary>Runs a query expected to return at most one row; default when it returns none.</summary>
    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        Connection.QuerySingleOrDefaultAsync<T>(Command(sql, parameters, cancellationToken));

    /// <summary>Runs a query and returns the first column of the first row, converted to <typeparamref name="T"/>.</summary>
    public Task<T?> ExecuteScalarAsync<T>(string sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        Connection.ExecuteScalarAsync<T>(Command(sql, parameters, cancellationToken));

    /// <summary>
    /// Runs a command of several statements that returns two result sets: the first's single value, then the second's
    /// rows (statements that return no rows between them run in order). One command instead of several: on SQLite's one
    /// writer each command pays the driver's and Dapper's fixed cost.
    /// </summary>
    public async Task<(T First, List<TRow> Rows)> QueryTwoAsync<T, TRow>(string sql, object? parameters = null, CancellationToken cancellationToken = default)
    {
        using var grid = await Connection.QueryMultipleAsync(Command(sql, parameters, cancellationToken));
        var first = await grid.ReadSingleAsync<T>();
        var rows = (await grid.ReadAsync<TRow>()).AsList();
        return (first, rows);
    }

    /// <summary>
    /// Executes a <see cref="Statement"/> with its values by position; returns the number of rows it changed. On SQLite's
    /// writer it runs on the statement's kept compiled form, binding each value to its slot (nothing allocated per
    /// parameter); elsewhere as the same text with named parameters. Completes synchronously on SQLite.
    /// </summary>
    public ValueTask<int> ExecuteAsync(StatementValues values, CancellationToken cancellationToken = default) =>
        RunAsync(values, 0, null, cancellationToken);

    /// <summary>
    /// Runs a <see cref="Statement"/>'s query with its values by position, handing each row to <paramref name="onRow"/>
    /// with <paramref name="state"/> (a static callback allocates no closure). The row is valid only inside the callback.
    /// </summary>
    public async ValueTask QueryAsync<TState>(StatementValues values, TState state, Action<StatementRow, TState> onRow,
        CancellationToken cancellationToken = default) =>
        await RunAsync(values, state, onRow, cancellationToken);

    /// <summary>Runs a <see cref="Statement"/>'s query expected to return exactly one row (throws otherwise), read by <paramref name="read"/>.</summary>
    public async ValueTask<T> QuerySingleAsync<T>(StatementValues values, Func<StatementRow, T> read, CancellationToken cancellationToken = default)
    {
        var single = new SingleRow<T>(read);
        await RunAsync(values, single, static (row, s) => s.Add(row), cancellationToken);
        return single.Count == 1 ? single.Value! : throw new InvalidOperationException(single.Count == 0 ? "Sequence contains no elements" : "Sequence contains more than one element");
    }

    /// <summary>Runs a <see cref="Statement"/>'s query expected to return at most one row (throws on several), read by <paramref name="read"/>; default when none.</summary>
    public async ValueTask<T?> QuerySingleOrDefaultAsync<T>(StatementValues values, Func<StatementRow, T> read, CancellationToken cancellationToken = default)
    {
        var single = new SingleRow<T>(read);
        await RunAsync(values, single, static (row, s) => s.Add(row), cancellationToken);
        return single.Count <= 1 ? single.Value : throw new InvalidOperationException("Sequence contains more than one element");
    }

    private ValueTask<int> RunAsync<TState>(StatementValues values, TState state, Action<StatementRow, TState>? onRow, CancellationToken cancellationToken)
    {
        if (Connection is not CachingSqliteConnection writer)
        {
            return RunNamedAsync(values, state, onRow, cancellationToken);
        }
        // Synchronous on the writer (as its driver's commands are); a failure is the returned task's, as an async method's.
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var compiled = writer.Statements.Rent(values.Statement);
            try
            {
                return ValueTask.FromResult(compiled.Run(values, state, onRow));
            }
            finally
            {
                writer.Statements.Return(compiled);
            }
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<int>(ex);
        }
    }

    // The named form: the same text, each value a parameter of its name (PostgreSQL, and SQLite off the writer).
    private async ValueTask<int> RunNamedAsync<TState>(StatementValues values, TState state, Action<StatementRow, TState>? onRow,
        CancellationToken cancellationToken)
    {
        values.EnsureComplete();
        await using var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = values.Statement.Sql;
        var names = values.Statement.Names;
        for (var i = 0; i < names.Count; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = names[i];
            parameter.DbType = values[i].DbType;
            parameter.Value = values[i].Boxed;
            command.Parameters.Add(parameter);
        }
        if (onRow is null)
        {
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var row = new StatementRow().On(reader);
        do
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                onRow(row, state);
            }
        }
        while (await reader.NextResultAsync(cancellationToken));
        return reader.RecordsAffected;
    }

    private sealed class SingleRow<T>(Func<StatementRow, T> read)
    {
        public int Count { get; private set; }

        public T? Value { get; private set; }

        public void Add(StatementRow row)
        {
            if (++Count == 1)
            {
                Value = read(row);
            }
        }
    }

    private CommandDefinition Command(string sql, object? parameters, CancellationToken cancellationToken) =>
        new(sql, parameters, Transaction, cancellationToken: cancellationToken);
}
