using System.Net;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.DomainEvents;
using Hubbub.Features.Tests.Infrastructure;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests.Webhooks;

/// <summary>
/// Events reach a real receiver signed, once, retried after failures, dead-lettered after the attempt limit and
/// replayable; what is not subscribed or rolled back never leaves. On SQLite and PostgreSQL.
/// </summary>
public sealed class WebhookDeliveryTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    private WebhookReceiver Receiver => fixture.Receiver;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_subscribed_event_arrives_once_signed_and_an_unsubscribed_one_never(string engine)
    {
        var chat = await fixture.ServerAsync(engine);
        using var api = new ServerApi(chat.Server.BaseAddress, TestServer.ApiKey);
        var (wanted, other) = (Hooks.NewType("completed"), Hooks.NewType("skipped"));
        var (only, onlyPath) = await Hooks.RegisterAsync(api, Receiver, wanted);
        var (all, allPath) = await Hooks.RegisterAsync(api, Receiver, wanted, other);
        var user = Users.New("runner");

        await Hooks.PostEventAsync(api, other, user);
        await Hooks.PostEventAsync(api, wanted, user, new { minutes = 30 });

        // The endpoint of both types got both: the unsubscribed one would have been recorded in the same transactions.
        var both = await Receiver.DeliveredAsync(allPath, 2);
        var hook = Assert.Single(await Receiver.DeliveredAsync(onlyPath, 1));
        Assert.True(hook.SignatureValid, "the receiver's own Standard Webhooks check failed");
        Assert.Equal(wanted, hook.Type);
        Assert.Equal(hook.Id, hook.Json.GetProperty("id").GetString()); // webhook-id is the event id, the same for every endpoint
        Assert.Contains(both, h => h.Id == hook.Id);
        Assert.Equal(user, hook.Json.GetProperty("data").GetProperty("user").GetString());
        Assert.Equal(30, hook.Json.GetProperty("data").GetProperty("minutes").GetInt32());
        Assert.True(hook.Json.GetProperty("created_at").GetDateTime() > DateTime.UtcNow.AddMinutes(-1));
        Assert.All(both, h => Assert.True(h.SignatureValid));

        var delivered = Assert.Single(await Hooks.WaitForDeliveriesAsync(api, only, "delivered", 1));
        Assert.Equal(1, delivered.GetProperty("attempts").GetInt32());
        Assert.Equal(200, delivered.GetProperty("last_status").GetInt32());
        Assert.Equal(hook.Id, delivered.GetProperty("event_id").GetString());
        await Task.Delay(300); // a few more sweeps send nothing again
        Assert.Single(Receiver.At(onlyPath));
        Assert.Equal(2, Receiver.At(allPath).Count);
        Assert.Single(await Hooks.DeliveriesAsync(api, only));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task An_endpoint_answering_500_is_retried_with_the_same_id_until_it_accepts(string engine)
    {
        var chat = await fixture.ServerAsync(engine);
        using var api = new ServerApi(chat.Server.BaseAddress, TestServer.ApiKey);
        var type = Hooks.NewType("retried");
        var (webhook, path) = await Hooks.RegisterAsync(api, Receiver, type);
        Receiver.Answer(path, then: 200, 500, 503);

        await Hooks.PostEventAsync(api, type, Users.New("retry"));

        await Receiver.DeliveredAsync(path, 1);
        var attempts = Receiver.At(path);
        Assert.Equal([500, 503, 200], attempts.Select(a => a.AnsweredStatus));
        Assert.Single(attempts.Select(a => a.Id).Distinct()); // one event: the receiver can tell the retries apart from new events
        Assert.All(attempts, a => Assert.True(a.SignatureValid));
        var delivered = Assert.Single(await Hooks.WaitForDeliveriesAsync(api, webhook, "delivered", 1));
        Assert.Equal(3, delivered.GetProperty("attempts").GetInt32());
        var metrics = await chat.Server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("hubbub_webhook_attempts_total{result=\"failed\"}", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_delivery_failing_every_attempt_becomes_a_dead_letter_that_an_admin_replays(string engine)
    {
        var chat = await fixture.ServerAsync(engine);
        using var api = new ServerApi(chat.Server.BaseAddress, TestServer.ApiKey);
        var type = Hooks.NewType("dead");
        var (webhook, path) = await Hooks.RegisterAsync(api, Receiver, type);
        Receiver.Answer(path, then: 500);

        await Hooks.PostEventAsync(api, type, Users.New("dead"));

        var dead = Assert.Single(await Hooks.WaitForDeliveriesAsync(api, webhook, "dead", 1));
        Assert.Equal(3, dead.GetProperty("attempts").GetInt32()); // Webhooks:MaxAttempts
        Assert.Equal(500, dead.GetProperty("last_status").GetInt32());
        Assert.Equal("HTTP 500", dead.GetProperty("last_error").GetString());
        Assert.Empty(await Hooks.DeliveriesAsync(api, webhook, "pending"));
        await Task.Delay(300);
        Assert.Equal(3, Receiver.At(path).Count); // nothing more after the last attempt
        Assert.Contains(chat.Server.Logs, l => l.Contains("is dead after 3 attempts", StringComparison.Ordinal));

        Receiver.Answer(path, then: 200);
        var deliveryId = dead.GetProperty("id").GetString();
        var replayed = await api.PostAsync($"/api/webhooks/deliveries/{deliveryId}/replay", new { });
        Assert.True(replayed.Status == HttpStatusCode.OK, replayed.ToString());
        Assert.Equal("pending", replayed.Body.GetProperty("state").GetString());

        var hooks = await Receiver.DeliveredAsync(path, 1);
        Assert.Equal(dead.GetProperty("event_id").GetString(), Assert.Single(hooks).Id); // the same id, for the receiver's dedupe
        var delivered = Assert.Single(await Hooks.WaitForDeliveriesAsync(api, webhook, "delivered", 1));
        Assert.Equal(deliveryId, delivered.GetProperty("id").GetString());
        Assert.Empty(await Hooks.DeliveriesAsync(api, webhook, "dead"));

        var again = await api.PostAsync($"/api/webhooks/deliveries/{deliveryId}/replay", new { });
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.Equal("not_dead", again.Body.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_rolled_back_transaction_records_and_sends_nothing(string engine)
    {
        var chat = await fixture.ServerAsync(engine);
        using var api = new ServerApi(chat.Server.BaseAddress, TestServer.ApiKey);
        var (undone, done) = (new DomainEventKind<Workout>(Hooks.NewType("undone"), TestJson.Default.Workout),
            new DomainEventKind<Workout>(Hooks.NewType("done"), TestJson.Default.Workout));
        var (webhook, path) = await Hooks.RegisterAsync(api, Receiver, "*");
        var features = chat.Server.Services.GetRequiredService<FeatureDatabase>();

        await Assert.ThrowsAsync<InvalidOperationException>(() => features.WriteAsync(async tx =>
        {
            await tx.RaiseAsync(undone, new Workout("quitter", 5));
            throw new InvalidOperationException("changed my mind");
        }));
        await features.WriteAsync(tx => tx.RaiseAsync(done, new Workout("finisher", 5)));

        await WaitForAsync(() => Receiver.At(path).Any(h => h.Type == done.Type));
        Assert.DoesNotContain(Receiver.At(path), h => h.Type == undone.Type);
        // The proof: nothing of it was recorded, and the sender sends only what is.
        var stored = await chat.Server.Services.GetRequiredService<IDatabase>().ReadAsync(tx =>
            tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM webhook_deliveries WHERE event_type = @type", new { type = undone.Type }));
        Assert.Equal(0, stored);
        Assert.Equal(HttpStatusCode.NoContent, (await api.SendAsync(HttpMethod.Delete, $"/api/webhooks/{webhook}")).Status); // "*" would see the other tests' events
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Feature_events_reach_their_subscribers_checkin_completed_and_message_sent(string engine)
    {
        var chat = await fixture.ServerAsync(engine);
        using var api = new ServerApi(chat.Server.BaseAddress, TestServer.ApiKey);
        var database = chat.Server.Services.GetRequiredService<IDatabase>();
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = chat.Api(ada);
        var conversation = (await adaApi.CreateAsync([bob])).GetProperty("id").GetString()!;

        // Nobody listens to message.sent yet: a message stores no event for it (what webhooks cost a chat without them).
        await adaApi.SendAsync(conversation, "before anyone listened");
        Task<long> MessageEvents() => database.ReadAsync(tx => tx.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM kit_domain_events WHERE type = 'message.sent' AND data LIKE @pattern",
            new { pattern = $"%{conversation}%" }));
        Assert.Equal(0, await MessageEvents());

        var (webhook, path) = await Hooks.RegisterAsync(api, Receiver, "message.sent", "checkin.*");
        try
        {
            await adaApi.SendAsync(conversation, "hello bob");
            var venue = await api.PostAsync("/api/venues", new { name = "Gym", capacity = 10, timezone = "UTC" });
            Assert.True(venue.Status == HttpStatusCode.Created, venue.ToString());
            var venueId = venue.Body.GetProperty("id").GetString();
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsync($"/api/venues/{venueId}/checkins", new { user = bob })).Status);
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/venues/{venueId}/checkout", new { user = bob })).Status);

            await WaitForAsync(() => Receiver.At(path).Any(h => h.Type == "checkin.completed" && h.Body.Contains(bob, StringComparison.Ordinal))
                && Receiver.At(path).Any(h => h.Type == "message.sent" && h.Body.Contains(conversation, StringComparison.Ordinal)));
            var message = Receiver.At(path).Single(h => h.Type == "message.sent" && h.Body.Contains(conversation, StringComparison.Ordinal));
            Assert.True(message.SignatureValid);
            Assert.Equal("hello bob", message.Json.GetProperty("data").GetProperty("text").GetString());
            Assert.Equal(ada, message.Json.GetProperty("data").GetProperty("sender").GetProperty("user").GetString());
            var checkin = Receiver.At(path).Single(h => h.Type == "checkin.completed" && h.Body.Contains(bob, StringComparison.Ordinal));
            Assert.Equal(venueId, checkin.Json.GetProperty("data").GetProperty("venue").GetString());
            Assert.Equal(1, await MessageEvents());
        }
        finally
        {
            await api.SendAsync(HttpMethod.Delete, $"/api/webhooks/{webhook}");
        }
    }

    internal static async Task WaitForAsync(Func<bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in time");
            await Task.Delay(20);
        }
    }
}
