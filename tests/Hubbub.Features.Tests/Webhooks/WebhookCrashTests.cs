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
        using var crash = new CrashAfterCommit(database, ApiKey);
        var type = Hooks.NewType("crashed");
        var path = "";

        // The event and its delivery commit; the process dies before it sends anything.
        await crash.CrashAsync(
            prepare: async api => (_, path) = await Hooks.RegisterAsync(api, receiver, type), // writes no outbox row and records no delivery: no crash
            commit: api => api.PostAsync("/api/events", new { id = "crash-1", user = "ada", type, data = new { n = 1 } }));
        Assert.Empty(receiver.At(path));

        var (revived, address) = await crash.StartAsync();
        await using var restarted = revived;
        using (var api = new ServerApi(address, ApiKey))
        {
            var hook = Assert.Single(await receiver.DeliveredAsync(path, 1));
            Assert.True(hook.SignatureValid);
            Assert.Equal(type, hook.Type);
            // The app's retry of the same event id changes nothing and sends nothing.
            Assert.True((await api.PostAsync("/api/events", new { id = "crash-1", user = "ada", type, data = new { n = 1 } })).Body.GetProperty("duplicate").GetBoolean());
        }
        await Task.Delay(600); // more than a lease and a few polls: nothing goes out again
        Assert.Single(receiver.At(path));
    }
}
