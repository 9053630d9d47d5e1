using Hubbub.Storage;
using Microsoft.Data.Sqlite;

namespace Hubbub.Storage.Tests.Infrastructure;

/// <summary>A SQLite file in a temp folder.</summary>
public sealed class SqliteTestDatabase : TestDatabase
{
    /// <summary>The database file.</summary>
    public string File => Path.Combine(Folder, "test.db");

    /// <inheritdoc />
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["ConnectionStrings:Sqlite"] = File };

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them before deleting the folder.
        SqliteConnection.ClearAllPools();
        return base.DisposeAsync();
    }
}
