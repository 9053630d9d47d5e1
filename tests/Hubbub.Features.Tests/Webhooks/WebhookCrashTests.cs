using System.Net;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Webhooks;

/// <summary>
/// A node killed right after committing an event (the server as a real process with
/// <c>Hubbub:Testing:CrashAfterCommitBeforePublish</c>, which ends it with Environment.FailFast after the commit that
/// recorded the delivery) sends the webhook once when it comes back, on a file SQLite database and on PostgreSQL.
/// </summary>
public sealed class WebhookCrashTests
{
    private const string ApiKey = "webhook-crash-api-key";

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_node_killed_after_the_commit_sends_the_webhook_once_after_restart(string engine)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var database = await ChatDatabase.CreateAsync(engine);
        var folder = Directory.CreateTempSubdirectory("hubbub-webhook-crash-").FullName; // the SQLite file lives here, across both processes
        var environment = new Dictionary<string, string?> { ["Auth__ApiKey"] = ApiKey, ["Kit__LeaseMs"] = "300", ["Kit__PollMs"] = "100" };
        foreach (var (key, value) in database.Settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var type = Hooks.NewType("crashed");
        string path;

        var port = ClosedPort.Find();
        await using (var doomed = ServerProcess.Start(folder, new Dictionary<string, string?>(environment)
                     {
                         ["Hubbub__Testing__CrashAfterCommitBeforePublish"] = "true",
                     }, "--urls", $"http://127.0.0.1:{port}"))
        {
            using var api = new ServerApi(await ReadyAsync(doomed, port), ApiKey);
            (_, path) = await Hooks.RegisterAsync(api, receiver, type); // writes no outbox row and records no delivery: no crash
            // The event and its delivery commit; the process dies before it sends anything.
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => api.PostAsync("/api/events", new { id = "crash-1", user = "ada", type, data = new { n = 1 } }));
            await doomed.WaitForExitAsync(TimeSpan.FromSeconds(20));
            Assert.NotEqual(0, doomed.ExitCode);
            Assert.Contains("CrashAfterCommitBeforePublish", doomed.Output + doomed.Error, StringComparison.Ordinal);
        }
        Assert.Empty(receiver.At(path));

        port = ClosedPort.Find();
        await using var revived = ServerProcess.Start(folder, environment, "--urls", $"http://127.0.0.1:{port}");
        using (var api = new ServerApi(await ReadyAsync(revived, port), ApiKey))
        {
            var hook = Assert.Single(await receiver.DeliveredAsync(path, 1));
            Assert.True(hook.SignatureValid);
            Assert.Equal(type, hook.Type);
            // The app's retry of the same event id changes nothing and sends nothing.
            Assert.True((await api.PostAsync("/api/events", new { id = "crash-1", user = "ada", type, data = new { n = 1 } })).Body.GetProperty("duplicate").GetBoolean());
        }
        await Task.Delay(600); // more than a lease and a few polls: nothing goes out again
        Assert.Single(receiver.At(path));
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
