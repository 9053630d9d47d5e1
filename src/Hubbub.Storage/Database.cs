using System.Data.Common;

namespace Hubbub.Storage;

/// <summary>What both engines share: the transaction envelope around a feature's work.</summary>
public abstract class Database(StorageSettings settings) : IDatabase
{
    /// <inheritdoc />
    public DatabaseProvider Provider { get; } = settings.Provider;

    /// <inheritdoc />
    public string Description { get; } = settings.Description;

    /// <inheritdoc />
    public abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default);

    /// <summary>Begins a transaction on an open connection of this engine.</summary>
    protected abstract ValueTask<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a write through the engine's own queue, or returns null when the engine has none (PostgreSQL locks rows, not
    /// the database) or declines this call: it then runs on a connection of its own, as below.
    /// </summary>
    protected virtual Task<T>? TryQueueWrite<T>(Func<DatabaseTransaction, Task<T>> work, CancellationToken cancellationToken) => null;

    /// <summary>Begins a transaction for reads only; the engine's usual one unless it has a lighter kind.</summary>
    protected virtual ValueTask<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        BeginAsync(connection, cancellationToken);

    /// <inheritdoc />
    public Task<T> InTransactionAsync<T>(Func<DatabaseTransaction, Task<T>> work, CancellationToken cancellationToken = default) =>
        TryQueueWrite(work, cancellationToken) ?? RunAsync(work, readOnly: false, cancellationToken);

    /// <inheritdoc />
    public Task<T> ReadAsync<T>(Func<DatabaseTransaction, Task<T>> work, CancellationToken cancellationToken = default) =>
        RunAsync(work, readOnly: true, cancellationToken);

    private async Task<T> RunAsync<T>(Func<DatabaseTransaction, Task<T>> work, bool readOnly, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = readOnly
            ? await BeginReadAsync(connection, cancellationToken)
            : await BeginAsync(connection, cancellationToken);
        // Disposing an uncommitted transaction rolls it back, so an exception from work (or from the commit)
        // leaves nothing behind.
        var result = await work(new DatabaseTransaction(connection, transaction, Provider));
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
