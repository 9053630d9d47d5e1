using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests;

/// <summary>
/// A node killed between a commit and its publication publishes it when it comes back: the server runs as a real
/// process with <c>Hubbub:Testing:CrashAfterCommitBeforePublish</c>, which ends it (Environment.FailFast, as abrupt as
/// SIGKILL) right after the commit; restarted on the same database it delivers what the dead process owed.
/// </summary>
public sealed class OutboxCrashTests
{
    private const string ApiKey = "crash-test-api-key";

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_node_killed_after_a_commit_publishes_its_events_when_it_restarts(string engine)
    {
        await using var database = await ChatDatabase.CreateAsync(engine);
        var folder = Directory.CreateTempSubdirectory("hubbub-crash-").FullName;
        var environment = new Dictionary<string, string?>
        {
            ["Auth__ApiKey"] = ApiKey,
            ["Kit__LeaseMs"] = "300", // the dead process's claim expires quickly
            ["Kit__PollMs"] = "100",
        };
        foreach (var (key, value) in database.Settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var (ada, bob, room) = ($"ada-{Guid.NewGuid():N}"[..12], $"bob-{Guid.NewGuid():N}"[..12], $"r{Guid.NewGuid():N}"[..12]);

        var port = ClosedPort.Find();
        await using (var doomed = ServerProcess.Start(folder, new Dictionary<string, string?>(environment)
                     {
                         ["Hubbub__Testing__CrashAfterCommitBeforePublish"] = "true",
                     }, "--urls", $"http://127.0.0.1:{port}"))
        {
            using var api = new ServerApi(await ReadyAsync(doomed, port), ApiKey);
            // The commit (the room, bob's membership, his notification, the outbox rows) happens; the process dies before publishing.
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => api.PostAsync("/api/rooms", new { id = room, members = new[] { bob }, user = ada }));
            await doomed.WaitForExitAsync(TimeSpan.FromSeconds(20));
            Assert.NotEqual(0, doomed.ExitCode);
            Assert.Contains("CrashAfterCommitBeforePublish", doomed.Output + doomed.Error, StringComparison.Ordinal);
        }

        port = ClosedPort.Find();
        await using var revived = ServerProcess.Start(folder, environment, "--urls", $"http://127.0.0.1:{port}");
        var address = await ReadyAsync(revived, port);
        using (var api = new ServerApi(address, ApiKey))
        {
            var stored = await api.GetAsync($"/api/rooms/{room}?user={ada}");
            Assert.True(stored.Status == HttpStatusCode.OK, stored.ToString()); // the change was committed
        }
        // bob's channel now holds room_added, published by the restarted node (its history: it may have gone out before bob looked).
        await using var bobWs = await WsClient.ConnectAsync(new UriBuilder(address) { Scheme = "ws", Path = "/ws",
            Query = "access_token=" + TestTokens.For(bob, key: ServerProcess.SigningKey) }.Uri);
        await bobWs.SubscribeAsync($"user:{bob}");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        List<string?> types = [];
        while (DateTime.UtcNow < deadline)
        {
            var history = await bobWs.OkAsync("history", new { channel = $"user:{bob}" });
            types = [.. history.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("type").GetString())];
            if (types.Contains("room_added") && types.Contains("notification"))
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.Equal(1, types.Count(t => t == "room_added")); // published once, after the restart
        Assert.Equal(1, types.Count(t => t == "notification"));
        Directory.Delete(folder, recursive: true);
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
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"server did not get ready: {server.Output}");
    }
}
