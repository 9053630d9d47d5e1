using Npgsql;

namespace Hubbub.Redis.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL database of this test run's own on the server <c>HUBBUB_TEST_POSTGRES</c> points at (set by
/// test.sh), shared by the multi-node tests' server processes like a deployment's. Null when the variable is
/// unset: the nodes then keep state in SQLite files of their own.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<Task<string?>> Database = new(CreateAsync);

    public static Task<string?> DatabaseAsync() => Database.Value;

    private static async Task<string?> CreateAsync()
    {
        if (Environment.GetEnvironmentVariable("HUBBUB_TEST_POSTGRES") is not { Length: > 0 } server)
        {
            return null;
        }
        var name = $"hubbub_multinode_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }
}
