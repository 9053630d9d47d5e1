using Hubbub.Server.Hosting;
using Hubbub.Storage;
using Hubbub.Storage.Migrations;
using Hubbub.Storage.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hubbub.Storage.Tests;

/// <summary><c>Hubbub.Server.dll migrate</c> run as a real process against SQLite and PostgreSQL.</summary>
public sealed class MigrateVerbTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Migrate_applies_every_registered_migration_once_and_prints_what_it_did(string engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var registered = await RegisteredInServerAsync(db);

        await using var first = await ServerProcess.RunAsync(db.Folder, db.EnvironmentVariables, ["migrate"]);
        Assert.True(first.ExitCode == 0, $"exit {first.ExitCode}: {first.Error}");
        Assert.Contains($"database: {(engine == "sqlite" ? "SQLite file" : "PostgreSQL database")}", first.Output, StringComparison.Ordinal);
        foreach (var migration in registered)
        {
            Assert.Contains($"applied {migration} (", first.Output, StringComparison.Ordinal);
        }
        Assert.Contains($"{registered.Count} applied, 0 already applied, {registered.Count} registered", first.Output, StringComparison.Ordinal);

        await using var second = await ServerProcess.RunAsync(db.Folder, db.EnvironmentVariables, ["migrate"]);
        Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}: {second.Error}");
        Assert.Contains($"0 applied, {registered.Count} already applied, {registered.Count} registered", second.Output, StringComparison.Ordinal);

        // The journal the process wrote is the one a node reads: nothing is left pending.
        await using var node = new StorageNode(db);
        Assert.Equal(registered.Count, await node.Database.InTransactionAsync(tx => tx.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM hubbub_migrations")));
    }

    [Fact]
    public async Task Migrate_uses_the_default_sqlite_file_in_the_data_directory()
    {
        var folder = Directory.CreateTempSubdirectory("hubbub-storage-").FullName;
        try
        {
            await using var run = await ServerProcess.RunAsync(folder, new Dictionary<string, string?>(), ["migrate"]);
            Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Error}");
            var file = Path.Combine(folder, "data", StorageSettings.DefaultSqliteFile);
            Assert.Contains($"database: SQLite file {file}", run.Output, StringComparison.Ordinal);
            Assert.True(File.Exists(file));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Migrate_reports_an_unreachable_database_and_exits_1()
    {
        var folder = Directory.CreateTempSubdirectory("hubbub-storage-").FullName;
        try
        {
            var closed = new NpgsqlConnectionStringBuilder(PostgresTestDatabase.AdminConnectionString) { Port = ClosedPort.Find(), Password = "s3cret-pw" }.ConnectionString;
            await using var run = await ServerProcess.RunAsync(folder, new Dictionary<string, string?> { ["ConnectionStrings__Postgres"] = closed }, ["migrate"]);

            Assert.Equal(1, run.ExitCode);
            Assert.Contains("migrate failed: cannot reach the database (PostgreSQL database", run.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret-pw", run.Error + run.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal); // a sentence, not a stack trace
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Migrate_refuses_unknown_arguments()
    {
        await using var db = new SqliteTestDatabase();
        await using var run = await ServerProcess.RunAsync(db.Folder, db.EnvironmentVariables, ["migrate", "--drop-everything"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("usage: migrate", run.Error, StringComparison.Ordinal);
    }

    /// <summary>The migrations the server itself registers (every feature's), read from its own composition.</summary>
    internal static async Task<IReadOnlyList<Migration>> RegisteredInServerAsync(TestDatabase db)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = db.Folder, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(db.Settings);
        builder.Configuration["Auth:SigningKey"] = ServerProcess.SigningKey;
        builder.AddHubbubServer();
        await using var app = builder.Build();
        return app.Services.GetRequiredService<MigrationRunner>().Registered;
    }
}
