using System.Net;
using Hubbub.Storage.Tests.Infrastructure;
using Npgsql;

namespace Hubbub.Storage.Tests;

/// <summary>The server process migrates before it listens, refuses to start without its database, and reports readiness.</summary>
public sealed class ServerStartTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    [Theory]
    [MemberData(nameof(TestDatabases.Engines), MemberType = typeof(TestDatabases))]
    public async Task Server_migrates_on_start_and_reports_ready(string engine)
    {
        await using var db = await TestDatabases.CreateAsync(engine);
        var registered = await MigrateVerbTests.RegisteredInServerAsync(db);
        var port = LoopbackPort.Free();
        await using var server = ServerProcess.Start(db.Folder, db.EnvironmentVariables, "--urls", $"http://127.0.0.1:{port}");

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        Assert.Equal(HttpStatusCode.OK, await WaitForReadyAsync(http, server));

        // The journal exists and is complete: the hosted service ran before the first request was answered.
        await using var node = new StorageNode(db);
        Assert.Equal(registered.Count, await node.Database.InTransactionAsync(tx => tx.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM hubbub_migrations")));
        var report = await node.Migrations.ApplyAsync();
        Assert.Empty(report.Applied);
    }

    [Fact]
    public async Task Server_with_MigrateOnStart_off_leaves_the_schema_to_the_migrate_verb()
    {
        await using var db = new SqliteTestDatabase();
        var port = LoopbackPort.Free();
        var environment = new Dictionary<string, string?>(db.EnvironmentVariables) { ["Storage__MigrateOnStart"] = "false" };
        await using (var server = ServerProcess.Start(db.Folder, environment, "--urls", $"http://127.0.0.1:{port}"))
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            Assert.Equal(HttpStatusCode.OK, await WaitForReadyAsync(http, server));
            Assert.Contains("Storage:MigrateOnStart is off", server.Output, StringComparison.Ordinal);
        }

        await using var node = new StorageNode(db);
        Assert.Equal(0L, await node.Database.InTransactionAsync(tx =>
            tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'hubbub_migrations'")));
    }

    [Fact]
    public async Task Server_with_an_unreachable_database_exits_with_one_line_and_never_listens()
    {
        var folder = Directory.CreateTempSubdirectory("hubbub-storage-").FullName;
        try
        {
            var closed = new NpgsqlConnectionStringBuilder(PostgresTestDatabase.AdminConnectionString) { Port = ClosedPort.Find() }.ConnectionString;
            var port = LoopbackPort.Free();
            await using var server = ServerProcess.Start(folder, new Dictionary<string, string?> { ["ConnectionStrings__Postgres"] = closed }, "--urls", $"http://127.0.0.1:{port}");
            await server.WaitForExitAsync(StartDeadline);

            Assert.Equal(1, server.ExitCode);
            Assert.Contains("Hubbub cannot start: cannot reach the database (PostgreSQL database", server.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("Now listening", server.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Readiness_fails_when_the_database_goes_away()
    {
        await using var db = await PostgresTestDatabase.CreateAsync();
        var port = LoopbackPort.Free();
        await using var server = ServerProcess.Start(db.Folder, db.EnvironmentVariables, "--urls", $"http://127.0.0.1:{port}");
        // Generous: after the drop, readiness answers once its database probe has failed, which a busy machine slows.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal(HttpStatusCode.OK, await WaitForReadyAsync(http, server));

        await using (var admin = new NpgsqlConnection(PostgresTestDatabase.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE {db.Name} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        using var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var live = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode); // alive: only readiness depends on the database
    }

    private static async Task<HttpStatusCode> WaitForReadyAsync(HttpClient http, ServerProcess server)
    {
        var deadline = DateTime.UtcNow + StartDeadline;
        while (DateTime.UtcNow < deadline)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"server exited with {server.ExitCode}: {server.Error}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                return response.StatusCode;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100); // not listening yet: the process is still starting
            }
            catch (TaskCanceledException) when (!server.HasExited)
            {
                // Listening but slow to answer its first request (a busy machine): ask again until the deadline.
            }
        }
        throw new TimeoutException($"server did not answer /readyz within {StartDeadline}. stdout: {server.Output}");
    }
}
