using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hubbub.Redis;

/// <summary>
/// The node's one connection multiplexer to Redis, created on first use (normally by
/// <see cref="RedisConnectionService"/> at start). It never gives up: when Redis is unreachable, at start or
/// later, StackExchange.Redis keeps reconnecting in the background and restores pub/sub subscriptions;
/// meanwhile calls fail fast and <c>/readyz</c> reports not ready.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _multiplexer;
    private readonly ILogger<RedisConnection> _logger;

    /// <summary>Prepares the connection; nothing is opened until <see cref="GetAsync"/>.</summary>
    public RedisConnection(IOptions<RedisOptions> options, ILogger<RedisConnection> logger)
    {
        _logger = logger;
        Options = options.Value;
        Routing = new ChannelRouting(Options.KeyPrefix);
        _multiplexer = new Lazy<Task<ConnectionMultiplexer>>(ConnectAsync);
    }

    /// <summary>The settings.</summary>
    public RedisOptions Options { get; }

    /// <summary>Channel → keys and pub/sub channel.</summary>
    public ChannelRouting Routing { get; }

    /// <summary>Raised when the pub/sub connection comes back after a failure (subscriptions are restored).</summary>
    public event Action? SubscriptionRestored;

    /// <summary>True when the multiplexer exists and reaches Redis.</summary>
    public bool IsConnected => _multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully
        && _multiplexer.Value.Result.IsConnected;

    /// <summary>The multiplexer, connecting on first call.</summary>
    public Task<ConnectionMultiplexer> GetAsync() => _multiplexer.Value;

    /// <summary>The database.</summary>
    public async ValueTask<IDatabase> GetDatabaseAsync() => (await GetAsync()).GetDatabase();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully)
        {
            await _multiplexer.Value.Result.DisposeAsync();
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var config = ConfigurationOptions.Parse(Options.Configuration);
        // Start even when Redis is down, and keep retrying: the node serves local connections meanwhile.
        config.AbortOnConnectFail = false;
        config.ReconnectRetryPolicy = new ExponentialRetry(250, 2_000);
        config.ClientName ??= "hubbub";
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(config);
        multiplexer.ConnectionFailed += (_, e) => Log.ConnectionFailed(_logger, e.Exception, e.ConnectionType, e.FailureType);
        multiplexer.ConnectionRestored += (_, e) =>
        {
            Log.ConnectionRestored(_logger, e.ConnectionType);
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                SubscriptionRestored?.Invoke();
            }
        };
        return multiplexer;
    }
}
