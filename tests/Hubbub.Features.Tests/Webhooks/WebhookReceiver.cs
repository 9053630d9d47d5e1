using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hubbub.Features.Tests.Webhooks;

/// <summary>One request the receiver got, and whether its signature held under the endpoint's secret.</summary>
public sealed record ReceivedHook(string Path, string Id, long Timestamp, string Body, bool SignatureValid, int AnsweredStatus)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public string Type => Json.GetProperty("type").GetString()!;
}

/// <summary>
/// An app's backend as a tiny real Kestrel server on 127.0.0.1: it verifies each request's Standard Webhooks signature
/// with its own HMAC code (not Hubbub's), records it, and answers the status the test scripted for its path (200 unless
/// told otherwise).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _secrets = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _scripts = new();
    private readonly ConcurrentDictionary<string, int> _defaults = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedHook> Received { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", receiver.ReceiveAsync);
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Urls.First());
        return receiver;
    }

    /// <summary>A fresh path of this receiver, as a URL to register.</summary>
    public string NewUrl(out string path)
    {
        path = "/hooks/" + Guid.NewGuid().ToString("N")[..12];
        return new Uri(BaseAddress, path).AbsoluteUri;
    }

    public void Secret(string path, string secret) => _secrets[path] = secret;

    /// <summary>The statuses to answer on <paramref name="path"/>, in order; after them, <paramref name="then"/>.</summary>
    public void Answer(string path, int then, params int[] first)
    {
        _scripts[path] = new ConcurrentQueue<int>(first);
        _defaults[path] = then;
    }

    public IReadOnlyList<ReceivedHook> At(string path) => Received.Where(r => r.Path == path).ToList();

    /// <summary>Waits until <paramref name="path"/> got <paramref name="count"/> requests answered 2xx.</summary>
    public async Task<IReadOnlyList<ReceivedHook>> DeliveredAsync(string path, int count, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var delivered = At(path).Where(r => r.AnsweredStatus is >= 200 and < 300).ToList();
            if (delivered.Count >= count)
            {
                return delivered;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{path} got {delivered.Count} of {count} deliveries in time");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ReceiveAsync(HttpContext http)
    {
        var path = http.Request.Path.Value!;
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var id = http.Request.Headers["webhook-id"].ToString();
        var timestamp = long.TryParse(http.Request.Headers["webhook-timestamp"].ToString(), out var t) ? t : -1;
        var signature = http.Request.Headers["webhook-signature"].ToString();
        var valid = _secrets.TryGetValue(path, out var secret) && Verify(secret, id, timestamp, body, signature)
            && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - timestamp) <= 300;
        var status = _scripts.TryGetValue(path, out var script) && script.TryDequeue(out var next) ? next : _defaults.GetValueOrDefault(path, 200);
        Received.Enqueue(new ReceivedHook(path, id, timestamp, body, valid, status));
        http.Response.StatusCode = status;
    }

    /// <summary>Standard Webhooks verification, written from the specification: HMAC-SHA256 of "id.timestamp.body" under the base64 key after "whsec_".</summary>
    private static bool Verify(string secret, string id, long timestamp, string body, string header)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        return header.Split(' ').Any(s => s.StartsWith("v1,", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s[3..]), Encoding.ASCII.GetBytes(expected)));
    }
}
