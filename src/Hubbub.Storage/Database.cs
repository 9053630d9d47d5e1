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
    /// Waits for this node's turn to write, or returns null when the engine needs no turn (PostgreSQL locks rows, not the
    /// database). Disposing the result ends the turn; it is held from before the transaction begins until after it ends.
    /// </summary>
    protected virtual ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    /// <summary>Begins a transaction for reads only; the engine's usual one unless it has a lighter kind.</summary>
    protected virtual ValueTask<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        BeginAsync(connection, cancellationToken);

    /// <inheritdoc />
    public Task<T> InTransactionAsync<T>(Func<DatabaseTransaction, Task<T>> work, CancellationToken cancellationToken = default) =>
        RunAsync(work, readOnly: false, cancellationToken);

    /// <inheritdoc />
    public Task<T> ReadAsync<T>(Func<DatabaseTransaction, Task<T>> work, CancellationToken cancellationToken = default) =>
        RunAsync(work, readOnly: true, cancellationToken);

    private async Task<T> RunAsync<T>(Func<DatabaseTransaction, Task<T>> work, bool readOnly, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        // Declared before the transaction, so it is released after the transaction's commit or rollback.
        using var turn = readOnly ? null : await EnterWriteAsync(cancellationToken);
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
