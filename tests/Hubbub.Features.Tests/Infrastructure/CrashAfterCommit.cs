using System.Net;

namespace Hubbub.Features.Tests.Infrastructure;

/// <summary>
/// The outbox's fault injection, for the tests that kill a node between a commit and what follows it: server processes
/// in one folder on one test database (SQLite file or PostgreSQL), with a short kit lease and poll so that what the dead
/// node claimed is taken over quickly. <see cref="CrashAsync"/> runs a node with
/// <c>Hubbub:Testing:CrashAfterCommitBeforePublish</c>, which ends it with Environment.FailFast (as abrupt as SIGKILL)
/// right after its next commit; <see cref="StartAsync"/> brings a healthy node back on the same database.
/// </summary>
public sealed class CrashAfterCommit(ChatDatabase database, string apiKey) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hubbub-crash-").FullName; // the SQLite file lives here, across both processes

    private Dictionary<string, string?> Environment(bool crash)
    {
        var environment = new Dictionary<string, string?> { ["Auth__ApiKey"] = apiKey, ["Kit__LeaseMs"] = "300", ["Kit__PollMs"] = "100" };
        foreach (var (key, value) in database.Settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        if (crash)
        {
            environment["Hubbub__Testing__CrashAfterCommitBeforePublish"] = "true";
        }
        return environment;
    }

    /// <summary>
    /// Starts a doomed node, lets <paramref name="prepare"/> make calls that commit nothing the fault watches (or nothing
    /// at all), then <paramref name="commit"/>'s call commits and kills the node before it answers; checks that it died of
    /// the fault.
    /// </summary>
    public async Task CrashAsync(Func<ServerApi, Task> commit, Func<ServerApi, Task>? prepare = null)
    {
        var port = LoopbackPort.Free();
        await using var doomed = ServerProcess.Start(_folder, Environment(crash: true), "--urls", $"http://127.0.0.1:{port}");
        using var api = new ServerApi(await ReadyAsync(doomed, port), apiKey);
        if (prepare is not null)
        {
            await prepare(api);
        }
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => commit(api));
        await doomed.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.NotEqual(0, doomed.ExitCode);
        Assert.Contains("CrashAfterCommitBeforePublish", doomed.Output + doomed.Error, StringComparison.Ordinal);
    }

    /// <summary>Starts a healthy node on the same folder and database and waits until it is ready; the caller disposes it.</summary>
    public async Task<(ServerProcess Server, Uri Address)> StartAsync()
    {
        var port = LoopbackPort.Free();
        var server = ServerProcess.Start(_folder, Environment(crash: false), "--urls", $"http://127.0.0.1:{port}");
        return (server, await ReadyAsync(server, port));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A process still closing its files; the temp folder goes with the machine's cleanup.
        }
    }

    private static async Task<Uri> ReadyAsync(ServerProcess server, int port)
    {
        var address = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = address };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"server exited with {server.ExitCode}: {server.Error} {server.Output}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return address;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"server did not get ready: {server.Output}");
    }
}
