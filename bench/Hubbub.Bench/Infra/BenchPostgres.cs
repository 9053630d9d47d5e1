using Npgsql;

namespace Hubbub.Bench.Infra;

/// <summary>
/// A fresh PostgreSQL database for one server start of a feature scenario (created on the server named by
/// <c>HUBBUB_BENCH_POSTGRES</c> or <c>HUBBUB_TEST_POSTGRES</c>, dropped on dispose), so rounds never see each other's rows.
/// </summary>
public sealed class BenchPostgres : IAsyncDisposable
{
    private readonly string _admin;
    private readonly string _name;

    private BenchPostgres(string admin, string name, string connectionString)
    {
        _admin = admin;
        _name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The new database's connection string, for <c>ConnectionStrings__Postgres</c>.</summary>
    public string ConnectionString { get; }

    /// <summary>The server to create databases on, or null when none is configured.</summary>
    public static string? Server() =>
        Environment.GetEnvironmentVariable("HUBBUB_BENCH_POSTGRES") is { Length: > 0 } p ? p
        : Environment.GetEnvironmentVariable("HUBBUB_TEST_POSTGRES") is { Length: > 0 } t ? t : null;

    /// <summary>Creates a database with a fresh name on <paramref name="server"/>.</summary>
    public static async Task<BenchPostgres> CreateAsync(string server, CancellationToken cancellationToken)
    {
        var name = $"hubbub_bench_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        var builder = new NpgsqlConnectionStringBuilder(server) { Database = name };
        return new BenchPostgres(server, name, builder.ConnectionString);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(_admin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // Left behind on a server that went away; its name says it is a bench's.
        }
    }
}
