using Hubbub.Server.Auth;
using Hubbub.Storage;
using Hubbub.Storage.Tests.Infrastructure;

namespace Hubbub.Storage.Tests;

/// <summary>The storage contract on SQLite (a temp file), plus what only SQLite needs: WAL, busy timeout, IMMEDIATE.</summary>
public sealed class SqliteStorageTests : StorageContractTests
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult<TestDatabase>(new SqliteTestDatabase());

    private string File => ((SqliteTestDatabase)Db).File;

    [Fact]
    public async Task Migrating_creates_the_file_in_write_ahead_log_mode()
    {
        var node = Node(Widgets);
        await node.Migrations.ApplyAsync();

        Assert.True(System.IO.File.Exists(File));
        await using var connection = await node.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Every_connection_waits_for_the_write_lock_enforces_foreign_keys_and_syncs_normally()
    {
        var node = Node(Widgets, new Dictionary<string, string?> { ["Storage:SqliteBusyTimeoutMs"] = "1234" });
        await using var connection = await node.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout";
        Assert.Equal(1234L, (long)(await command.ExecuteScalarAsync())!);
        command.CommandText = "PRAGMA foreign_keys";
        Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!);
        command.CommandText = "PRAGMA synchronous";
        Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!); // NORMAL
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_reported_as_unreachable()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(File)!);
        await System.IO.File.WriteAllTextAsync(File, new string('x', 4096));
        var node = Node(Widgets);

        var ex = await Assert.ThrowsAsync<StartupException>(() => node.Migrations.ApplyAsync());
        Assert.StartsWith("cannot reach the database (SQLite file " + File + ")", ex.Message, StringComparison.Ordinal);
        var health = await new DatabaseHealthCheck(node.Database).CheckHealthAsync(new());
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, health.Status);
    }

    [Fact]
    public async Task A_folder_that_cannot_be_created_is_reported_as_unreachable()
    {
        var blocker = Path.Combine(Db.Folder, "not-a-folder");
        await System.IO.File.WriteAllTextAsync(blocker, "a file where the database folder should be");
        var path = Path.Combine(blocker, "hubbub.db");
        await using var node = new StorageNode([new("ConnectionStrings:Sqlite", path)], Db.Folder);

        var ex = await Assert.ThrowsAsync<StartupException>(() => node.Migrations.ApplyAsync());
        Assert.StartsWith($"cannot reach the database (SQLite file {path})", ex.Message, StringComparison.Ordinal);
    }
}
