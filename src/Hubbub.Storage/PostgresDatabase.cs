using System.Data.Common;
using Npgsql;

namespace Hubbub.Storage;

/// <summary>PostgreSQL through one pooled <see cref="NpgsqlDataSource"/> per node.</summary>
public sealed class PostgresDatabase(StorageSettings settings) : Database(settings), IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(settings.ConnectionString);

    /// <inheritdoc />
    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <inheritdoc />
    protected override ValueTask<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // Read committed, PostgreSQL's default: features write with single conditional statements
        // (UPDATE ... WHERE balance >= @amount) that are atomic under it; see docs/storage.md.
        connection.BeginTransactionAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => _dataSource.Dispose();
}
