namespace Hubbub.Storage;

/// <summary>Shortcuts over <see cref="IDatabase"/>.</summary>
public static class DatabaseExtensions
{
    /// <summary>Runs work that returns nothing in a transaction: committed when it returns, rolled back when it throws.</summary>
    public static Task InTransactionAsync(this IDatabase database, Func<DatabaseTransaction, Task> work, CancellationToken cancellationToken = default) =>
        database.InTransactionAsync(async tx =>
        {
            await work(tx);
            return true;
        }, cancellationToken);
}
