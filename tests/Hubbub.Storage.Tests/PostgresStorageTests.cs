using Hubbub.Server.Auth;
using Hubbub.Storage;
using Hubbub.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Hubbub.Storage.Tests;

/// <summary>The storage contract on PostgreSQL (a database of its own per test), plus an unreachable server.</summary>
public sealed class PostgresStorageTests : StorageContractTests
{
    protected override async Task<TestDatabase> CreateDatabaseAsync() => await PostgresTestDatabase.CreateAsync();

    [Fact]
    public async Task An_unreachable_server_is_reported_in_one_line_without_the_password()
    {
        var closed = new NpgsqlConnectionStringBuilder(PostgresTestDatabase.AdminConnectionString)
        {
            Port = ClosedPort.Find(),
            Password = "s3cret-pw",
            Timeout = 5,
        }.ConnectionString;
        await using var node = new StorageNode([new("ConnectionStrings:Postgres", closed)], Db.Folder);

        var ex = await Assert.ThrowsAsync<StartupException>(() => node.Migrations.ApplyAsync());
        Assert.StartsWith("cannot reach the database (PostgreSQL database", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", ex.Message, StringComparison.Ordinal);

        var health = await new DatabaseHealthCheck(node.Database).CheckHealthAsync(new());
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.DoesNotContain("s3cret-pw", health.Description, StringComparison.Ordinal);
    }
}
