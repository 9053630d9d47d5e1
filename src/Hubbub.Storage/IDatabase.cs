using System.Data.Common;

namespace Hubbub.Storage;

/// <summary>
/// The one way a feature service reaches the database, whichever engine is configured. Work that writes goes
/// through <see cref="InTransactionAsync{T}"/>; events that the work causes are published after it returns,
/// that is after the commit, never inside it.
/// </summary>
public interface IDatabase
{
    /// <summary>The engine in use, for the rare statement whose SQL differs between engines.</summary>
    DatabaseProvider Provider { get; }

    /// <summary>Where the database is, safe to log (no password).</summary>
    string Description { get; }

    /// <summary>Opens a pooled connection, configured for this engine; the caller disposes it.</summary>
    Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction: committed when it returns, rolled back when it throws.
    /// On SQLite the transaction takes the write lock at once (<c>BEGIN IMMEDIATE</c>), so concurrent writers
    /// queue for up to <c>Storage:SqliteBusyTimeoutMs</c> instead of failing halfway.
    /// </summary>
    Task<T> InTransactionAsync<T>(Func<DatabaseTransaction, Task<T>> work, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs reads in a transaction that takes no write lock: on SQLite a deferred one, which in WAL mode never
    /// waits for a writer (and is not waited for); on PostgreSQL an ordinary one. For checks asked often (may this
    /// user read this channel?) that must not queue behind writes. <paramref name="work"/> must not write.
    /// </summary>
    Task<T> ReadAsync<T>(Func<DatabaseTransaction, Task<T>> work, CancellationToken cancellationToken = default);
}
