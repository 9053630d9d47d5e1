using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Hubbub.Client;

/// <summary>
/// Settings of a <see cref="HubbubClient"/>. Only <see cref="Url"/> and one of <see cref="Token"/> or
/// <see cref="TokenProvider"/> are required; every other value has a default that suits a long-lived app.
/// </summary>
public sealed class HubbubClientOptions
{
    /// <summary>The server's WebSocket endpoint, e.g. <c>ws://127.0.0.1:5080/ws</c> (<c>http</c>/<c>https</c> are turned into <c>ws</c>/<c>wss</c>).</summary>
    public Uri? Url { get; set; }

    /// <summary>A fixed JWT. Prefer <see cref="TokenProvider"/> for tokens that expire.</summary>
    public string? Token { get; set; }

    /// <summary>
    /// Called before every connection attempt (the first and each reconnect), so an expired token is refreshed.
    /// Wins over <see cref="Token"/> when both are set. An exception counts as a failed attempt. Also called
    /// <see cref="TokenRefreshAhead"/> before the connection's token expires (<c>welcome.expires_at</c>): the fresh token
    /// is sent with <c>refresh</c>, so the connection outlives its token without reconnecting; after a close with 4401
    /// (the token expired anyway) the client reconnects with a fresh one.
    /// </summary>
    public Func<CancellationToken, ValueTask<string>>? TokenProvider { get; set; }

    /// <summary>
    /// How long before the token's expiry the client refreshes it through <see cref="TokenProvider"/>. A token that
    /// lives less than twice this is refreshed halfway through its remaining life. Default 30 s.
    /// </summary>
    public TimeSpan TokenRefreshAhead { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Base of the exponential reconnect backoff. Default 500 ms.</summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Largest reconnect delay. Default 30 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive failed attempts after which the circuit opens and the client waits <see cref="CircuitBreakerCooldown"/>. Default 10.</summary>
    public int CircuitBreakerThreshold { get; set; } = 10;

    /// <summary>How long an open circuit waits before one trial attempt. Default 60 s.</summary>
    public TimeSpan CircuitBreakerCooldown { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Requests kept while offline; when full the oldest is dropped and <see cref="HubbubClient.MessageDropped"/> fires. Default 100.</summary>
    public int OfflineQueueCapacity { get; set; } = 100;

    /// <summary>The connection counts as dead after <c>heartbeat_ms × HeartbeatMultiplier</c> without any frame. Default 2.</summary>
    public double HeartbeatMultiplier { get; set; } = 2;

    /// <summary>Longest wait for the socket to open and the server's <c>welcome</c> to arrive. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for a reply once a request was sent. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest incoming frame the client accepts; a larger one drops the connection. Default 4 MiB.</summary>
    public int MaxIncomingFrameBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Serializer options for the generic <c>PublishAsync&lt;T&gt;</c>/<c>CallAsync&lt;T&gt;</c> overloads. Default <see cref="JsonSerializerDefaults.Web"/>.</summary>
    public JsonSerializerOptions JsonOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>The clock for backoff, heartbeat and timeouts; tests pass a fake one. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Source of the backoff jitter; tests pass a seeded or scripted one. Default <see cref="Random.Shared"/>.</summary>
    public Random Random { get; set; } = Random.Shared;

    /// <summary>
    /// Base URL of the REST API for <see cref="HubbubClient.Rest"/>, e.g. <c>https://api.example.com/</c>. Default: derived
    /// from <see cref="Url"/> (<c>wss://host/ws</c> → <c>https://host/</c>).
    /// </summary>
    public Uri? RestUrl { get; set; }

    /// <summary>The HttpClient <see cref="HubbubClient.Rest"/> uses (e.g. from <c>IHttpClientFactory</c>); not disposed by the SDK. Default: one of its own.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Where the client logs (category <c>Hubbub.Client.HubbubClient</c>). Default: no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>A logger to use as is (e.g. an injected <c>ILogger&lt;MyService&gt;</c>); wins over <see cref="LoggerFactory"/>.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Url is null || !Url.IsAbsoluteUri || Url.Scheme is not ("ws" or "wss" or "http" or "https"))
        {
            throw new ArgumentException("Url must be an absolute ws://, wss://, http:// or https:// address of the /ws endpoint.", nameof(Url));
        }
        if (TokenProvider is null && string.IsNullOrEmpty(Token))
        {
            throw new ArgumentException("Set Token or TokenProvider.", nameof(Token));
        }
        Positive(ReconnectBaseDelay, nameof(ReconnectBaseDelay));
        if (ReconnectMaxDelay < ReconnectBaseDelay)
        {
            throw new ArgumentException("ReconnectMaxDelay must be at least ReconnectBaseDelay.", nameof(ReconnectMaxDelay));
        }
        Positive(CircuitBreakerCooldown, nameof(CircuitBreakerCooldown));
        if (TokenRefreshAhead < TimeSpan.Zero)
        {
            throw new ArgumentException("TokenRefreshAhead must not be negative.", nameof(TokenRefreshAhead));
        }
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(RequestTimeout, nameof(RequestTimeout));
        if (CircuitBreakerThreshold < 1)
        {
            throw new ArgumentException("CircuitBreakerThreshold must be at least 1.", nameof(CircuitBreakerThreshold));
        }
        if (OfflineQueueCapacity < 0)
        {
            throw new ArgumentException("OfflineQueueCapacity must not be negative (0 disables the queue).", nameof(OfflineQueueCapacity));
        }
        if (!(HeartbeatMultiplier >= 1))
        {
            throw new ArgumentException("HeartbeatMultiplier must be at least 1.", nameof(HeartbeatMultiplier));
        }
        if (MaxIncomingFrameBytes < 1024)
        {
            throw new ArgumentException("MaxIncomingFrameBytes must be at least 1024.", nameof(MaxIncomingFrameBytes));
        }
        if (RestUrl is not null && (!RestUrl.IsAbsoluteUri || RestUrl.Scheme is not ("http" or "https")))
        {
            throw new ArgumentException("RestUrl must be an absolute http:// or https:// address.", nameof(RestUrl));
        }
        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(Random);
        ArgumentNullException.ThrowIfNull(JsonOptions);
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{name} must be greater than zero.", name);
        }
    }
}
