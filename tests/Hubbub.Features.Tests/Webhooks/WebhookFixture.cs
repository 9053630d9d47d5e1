using System.Net;
using System.Text.Json;
using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Webhooks;

/// <summary>
/// One receiver and one server per engine for a test class, with tiny retry settings (50 ms doubling to 200 ms, three
/// attempts) so retries and dead letters take well under a second. Each test uses event types of its own, so the
/// endpoints of one never see another's events.
/// </summary>
public sealed class WebhookFixture : IAsyncLifetime
{
    private readonly Dictionary<string, ChatServer> _servers = [];

    public static Dictionary<string, string?> FastRetries => new()
    {
        ["Kit:PollMs"] = "50",
        ["Webhooks:RetryBaseMs"] = "50",
        ["Webhooks:RetryMaxMs"] = "200",
        ["Webhooks:MaxAttempts"] = "3",
        ["Webhooks:TimeoutMs"] = "2000",
    };

    public WebhookReceiver Receiver { get; private set; } = null!;

    public async Task<ChatServer> ServerAsync(string engine)
    {
        if (!_servers.TryGetValue(engine, out var server))
        {
            _servers[engine] = server = await ChatServer.StartAsync(engine, FastRetries);
        }
        return server;
    }

    public async Task InitializeAsync() => Receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var server in _servers.Values)
        {
            await server.DisposeAsync();
        }
        await Receiver.DisposeAsync();
    }
}

/// <summary>What the webhook tests do through the REST API.</summary>
public static class Hooks
{
    /// <summary>A type no other test raises.</summary>
    public static string NewType(string what) => $"t{Guid.NewGuid():N}"[..9] + "." + what;

    /// <summary>Registers a receiver path for <paramref name="events"/> and tells the receiver its secret.</summary>
    public static async Task<(string Id, string Path)> RegisterAsync(ServerApi api, WebhookReceiver receiver, params string[] events)
    {
        var url = receiver.NewUrl(out var path);
        var created = await api.PostAsync("/api/webhooks", new { url, events });
        Assert.True(created.Status == HttpStatusCode.Created, created.ToString());
        receiver.Secret(path, created.Body.GetProperty("secret").GetString()!);
        return (created.Body.GetProperty("id").GetString()!, path);
    }

    /// <summary>Posts an app event through <c>POST /api/events</c>.</summary>
    public static async Task PostEventAsync(ServerApi api, string type, string user, object? data = null, string? id = null)
    {
        var answer = await api.PostAsync("/api/events", new { id = id ?? Guid.NewGuid().ToString("N"), user, type, data = data ?? new { } });
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
    }

    public static async Task<JsonElement[]> DeliveriesAsync(ServerApi api, string webhook, string? state = null)
    {
        var answer = await api.GetAsync($"/api/webhooks/{webhook}/deliveries{(state is null ? "" : "?state=" + state)}");
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        return [.. answer.Body.GetProperty("deliveries").EnumerateArray()];
    }

    /// <summary>Waits until <paramref name="webhook"/> lists <paramref name="count"/> deliveries in <paramref name="state"/>.</summary>
    public static async Task<JsonElement[]> WaitForDeliveriesAsync(ServerApi api, string webhook, string state, int count, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var deliveries = await DeliveriesAsync(api, webhook, state);
            if (deliveries.Length >= count)
            {
                return deliveries;
            }
            Assert.True(DateTime.UtcNow < deadline, $"webhook {webhook} lists {deliveries.Length} of {count} {state} deliveries in time");
            await Task.Delay(25);
        }
    }
}
