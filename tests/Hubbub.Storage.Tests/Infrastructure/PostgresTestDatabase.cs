using Hubbub.Storage;
using Npgsql;

namespace Hubbub.Storage.Tests.Infrastructure;

/// <summary>A database of a unique name on the test PostgreSQL server, dropped (with its connections) afterwards.</summary>
public sealed class PostgresTestDatabase : TestDatabase
{
    private readonly string _admin;

    private PostgresTestDatabase(string admin, string connectionString, string name)
    {
        _admin = admin;
        ConnectionString = connectionString;
        Name = name;
    }

    /// <summary>The database name.</summary>
    public string Name { get; }

    /// <summary>The connection string of the test database.</summary>
    public string ConnectionString { get; }

    /// <inheritdoc />
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = ConnectionString };

    /// <summary>The server the test script started (HUBBUB_TEST_POSTGRES); fails with a hint when it is not set.</summary>
    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("HUBBUB_TEST_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("HUBBUB_TEST_POSTGRES is not set: run the suites through ./test.sh, which starts PostgreSQL on loopback and sets it.");

    /// <summary>Creates the database.</summary>
    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var admin = AdminConnectionString;
        var name = $"hubbub_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new PostgresTestDatabase(admin, builder.ConnectionString, name);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await using (var connection = new NpgsqlConnection(_admin))
        {
            await connection.OpenAsync();
            // FORCE ends connections still pooled by the test or a server process.
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
        await base.DisposeAsync();
    }
}
