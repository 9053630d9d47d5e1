using Hubbub.Storage;

namespace Hubbub.Storage.Tests.Infrastructure;

/// <summary>
/// A fresh, empty database of one engine for one test, removed afterwards: a SQLite file in a temp folder,
/// or a PostgreSQL database of a unique name on the server HUBBUB_TEST_POSTGRES points at.
/// </summary>
public abstract class TestDatabase : IAsyncDisposable
{
    /// <summary>The engine.</summary>
    public abstract DatabaseProvider Provider { get; }

    /// <summary>Configuration that selects this database (the same keys a deployment sets).</summary>
    public abstract IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>The same settings as environment variables for a server process.</summary>
    public IReadOnlyDictionary<string, string?> EnvironmentVariables =>
        Settings.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);

    /// <summary>A folder of this test's own, used as content root and data directory.</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("hubbub-storage-").FullName;

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        Directory.Delete(Folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
