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

    private CommandDefinition Command(string sql, object? parameters, CancellationToken cancellationToken) =>
        new(sql, parameters, Transaction, cancellationToken: cancellationToken);
}
