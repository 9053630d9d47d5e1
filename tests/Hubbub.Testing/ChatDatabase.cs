using Npgsql;

namespace Hubbub.Testing;

/// <summary>
/// The storage a test server runs on: SQLite in the server's own temp folder, or a PostgreSQL database of a
/// unique name on the server HUBBUB_TEST_POSTGRES points at (started by test.sh), dropped afterwards.
/// </summary>
public sealed class ChatDatabase : IAsyncDisposable
{
    private readonly string? _admin;
    private readonly string? _name;

    private ChatDatabase(Dictionary<string, string?> settings, string? admin = null, string? name = null)
    {
        Settings = settings;
        _admin = admin;
        _name = name;
    }

    /// <summary>Configuration selecting this database.</summary>
    public Dictionary<string, string?> Settings { get; }

    /// <summary>A fresh database of <paramref name="engine"/> ("sqlite" or "postgres").</summary>
    public static async Task<ChatDatabase> CreateAsync(string engine)
    {
        if (engine == "sqlite")
        {
            return new ChatDatabase([]); // the server's default: a file in its data directory
        }
        var admin = Environment.GetEnvironmentVariable("HUBBUB_TEST_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("HUBBUB_TEST_POSTGRES is not set: run the suites through ./test.sh, which starts PostgreSQL on loopback and sets it.");
        var name = $"hubbub_chat_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        return new ChatDatabase(new() { ["ConnectionStrings:Postgres"] = connectionString }, admin, name);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_admin is null)
        {
            return;
        }
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        // FORCE ends the connections the stopped server's pool may still hold.
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
