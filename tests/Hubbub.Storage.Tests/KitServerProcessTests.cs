using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hubbub.Storage.Tests;

/// <summary>
/// The test kit's real server on loopback (<see cref="ServerProcess.StartOnLoopbackAsync"/>): one switch puts its
/// state in SQLite or in a fresh PostgreSQL database, it answers /readyz, and the kit's client talks to it.
/// </summary>
public sealed class KitServerProcessTests
{
    [Fact]
    public async Task On_Sqlite_the_server_migrates_its_own_file_in_the_working_folder_and_accepts_the_kit_client()
    {
        var folder = Directory.CreateTempSubdirectory("hubbub-kit-").FullName;
        try
        {
            await using (var server = await ServerProcess.StartOnLoopbackAsync(folder, ServerStorage.Sqlite))
            {
                Assert.Null(server.PostgresConnectionString);
                await PingAsync(server);
            }
            var file = Path.Combine(folder, "data", StorageSettings.DefaultSqliteFile);
            Assert.True(File.Exists(file), $"{file} is missing");
            await using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
            await connection.OpenAsync();
            await using var command = new SqliteCommand("SELECT COUNT(*) FROM hubbub_migrations", connection);
            Assert.True((long)(await command.ExecuteScalarAsync())! > 0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task On_Postgres_the_server_migrates_a_fresh_database_of_its_own_and_accepts_the_kit_client()
    {
        var folder = Directory.CreateTempSubdirectory("hubbub-kit-").FullName;
        try
        {
            await using var server = await ServerProcess.StartOnLoopbackAsync(folder, ServerStorage.Postgres);
            await PingAsync(server);

            Assert.NotNull(server.PostgresConnectionString);
            Assert.NotEqual(new NpgsqlConnectionStringBuilder(TestPostgres.Server).Database,
                new NpgsqlConnectionStringBuilder(server.PostgresConnectionString).Database);
            await using var connection = new NpgsqlConnection(server.PostgresConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM hubbub_migrations", connection);
            Assert.True((long)(await command.ExecuteScalarAsync())! > 0);
            Assert.False(File.Exists(Path.Combine(folder, "data", StorageSettings.DefaultSqliteFile)), "the PostgreSQL server also wrote a SQLite file");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task PingAsync(ServerProcess server)
    {
        await using var client = await WsClient.ConnectAsync(server.Port, "ada", ServerProcess.SigningKey);
        Assert.Equal("ada", client.User);
        Assert.Equal(System.Text.Json.JsonValueKind.Object, client.Welcome.ValueKind);
        var pong = await client.RequestAsync("ping");
        Assert.Equal("pong", pong.Type());
    }
}
