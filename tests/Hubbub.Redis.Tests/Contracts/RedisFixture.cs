using Hubbub.Core.Seams;
using Hubbub.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hubbub.Redis.Tests.Contracts;

/// <summary>
/// Builds Redis seams against the test Redis under one key prefix per test, so "nodes" created by the same
/// test share state and tests never see each other. Disposes every connection it opened.
/// </summary>
public sealed class RedisSeams : IAsyncDisposable
{
    private readonly List<RedisConnection> _connections = [];

    /// <summary>This test's key prefix.</summary>
    public string Prefix { get; } = TestRedis.UniquePrefix();

    /// <summary>Presence TTL of the stores created here.</summary>
    public int PresenceTtlSeconds { get; init; } = 30;

    /// <summary>A new connection, like a new node's.</summary>
    public RedisConnection Connect()
    {
        var options = Options.Create(new RedisOptions
        {
            Configuration = TestRedis.Endpoint,
            KeyPrefix = Prefix,
            PresenceTtlSeconds = PresenceTtlSeconds,
        });
        var connection = new RedisConnection(options, NullLogger<RedisConnection>.Instance);
        _connections.Add(connection);
        return connection;
    }

    /// <summary>A node: broker and history over its own connection.</summary>
    public SeamNode Node(TimeProvider time)
    {
        var connection = Connect();
        var history = new RedisHistoryStore(connection, time);
        var sink = new RecordingSink();
        return new SeamNode(new RedisBroker(connection, history, sink, time, NullLogger<RedisBroker>.Instance), history, sink);
    }

    /// <summary>A presence store over its own connection.</summary>
    public RedisPresenceStore Presence(TimeProvider time) => new(Connect(), time);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}

/// <summary>Helpers shared by the contract suites.</summary>
public static class SeamExtensions
{
    /// <summary>Subscribes when the broker needs it (the in-memory one delivers everything anyway).</summary>
    public static ValueTask SubscribeAsync(this SeamNode node, string channel) => node.Broker.SubscribeAsync(channel);

    /// <summary>A draft with JSON data.</summary>
    public static PublicationDraft Draft(string json, string eventType = "message", Hubbub.Protocol.ClientInfo? from = null) =>
        new(eventType, System.Text.Encoding.UTF8.GetBytes(json), from);
}
