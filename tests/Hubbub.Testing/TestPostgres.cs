using Npgsql;

namespace Hubbub.Testing;

/// <summary>
/// Databases of this test run's own on the PostgreSQL server <c>HUBBUB_TEST_POSTGRES</c> points at (set by
/// test.sh): one shared by a test run's server processes like a deployment's (<see cref="DatabaseAsync"/>),
/// or a fresh one per call (<see cref="CreateDatabaseAsync"/>).
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<Task<string?>> Database = new(() => Server is null ? Task.FromResult<string?>(null) : CreateAsync("hubbub_multinode"));

    /// <summary>The test PostgreSQL server's connection string, or null when the variable is unset.</summary>
    public static string? Server => Environment.GetEnvironmentVariable("HUBBUB_TEST_POSTGRES") is { Length: > 0 } server ? server : null;

    /// <summary>One database for the whole test run; null when there is no test server (state then stays in SQLite).</summary>
    public static Task<string?> DatabaseAsync() => Database.Value;

    /// <summary>A new, empty database; fails with a hint when there is no test server.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix = "hubbub_test") =>
        Server is null
            ? throw new InvalidOperationException("HUBBUB_TEST_POSTGRES is not set: run the tests through ./test.sh, which starts PostgreSQL.")
            : (await CreateAsync(prefix))!;

    private static async Task<string?> CreateAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(Server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(Server) { Database = name }.ConnectionString;
    }
}
