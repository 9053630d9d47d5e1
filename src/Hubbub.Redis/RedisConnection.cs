using Hubbub.Core;
using Hubbub.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hubbub.Redis;

/// <summary>
/// The node's one connection multiplexer to Redis, created on first use (normally by
/// <see cref="RedisConnectionService"/> at start). It never gives up: when Redis is unreachable, at start or
/// later, StackExchange.Redis keeps reconnecting in the background and restores pub/sub subscriptions.
/// Meanwhile nothing waits for Redis: commands are not queued for later (a publication queued during an outage
/// would be acknowledged long after its client gave up, into a stream that may have restarted), every command
/// run through <see cref="ExecuteAsync{T}"/> fails at once with <c>internal</c>, and <c>/readyz</c> reports not ready.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);

    private readonly Lazy<Task<ConnectionMultiplexer>> _multiplexer;
    private readonly ILogger<RedisConnection> _logger;
    private readonly CancellationTokenSource _disposed = new();
    private int _unreachable;
    private int _disposedOnce;

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

    /// <summary>
    /// True while requests may use Redis: connected, and no command timed out since the last ping that answered.
    /// </summary>
    public bool IsAvailable => IsConnected && Volatile.Read(ref _unreachable) == 0;

    /// <summary>The multiplexer, connecting on first call.</summary>
    public Task<ConnectionMultiplexer> GetAsync() => _multiplexer.Value;

    /// <summary>The database.</summary>
    public async ValueTask<IDatabase> GetDatabaseAsync() => (await GetAsync()).GetDatabase();

    /// <summary>
    /// Runs one command on behalf of a caller that waits for it (a client's request, an API call). While Redis is
    /// unavailable it is refused at once; otherwise it is given up after <see cref="RedisOptions.CommandTimeoutMs"/>,
    /// and a timeout marks Redis unavailable until a background ping answers. Either way the caller gets a
    /// <see cref="HubbubException"/> with <c>internal</c>. A command given up on may still run later (a
    /// publication then still goes out): only a refusal before sending is sure to have done nothing.
    /// </summary>
    /// <param name="command">The command; it gets the connected multiplexer.</param>
    /// <param name="failFast">False for background work that may wait for Redis to be confirmed back (bounded by the timeout all the same).</param>
    public async Task<T> ExecuteAsync<T>(Func<ConnectionMultiplexer, Task<T>> command, bool failFast = true)
    {
        if (failFast && Volatile.Read(ref _unreachable) != 0)
        {
            throw Unavailable();
        }
        var multiplexer = await GetAsync();
        if (!multiplexer.IsConnected)
        {
            throw Unavailable();
        }
        try
        {
            return await command(multiplexer).WaitAsync(Options.CommandTimeout);
        }
        catch (TimeoutException ex)
        {
            // RedisTimeoutException included. Redis stopped answering without dropping the connection (a hang, a
            // network cut): requests must not each wait the timeout out.
            MarkUnreachable(ex);
            throw Unavailable();
        }
        catch (RedisConnectionException ex)
        {
            MarkUnreachable(ex);
            throw Unavailable();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Idempotent: an in-process host (WebApplicationFactory) may dispose its services twice.
        if (Interlocked.Exchange(ref _disposedOnce, 1) != 0)
        {
            return;
        }
        await _disposed.CancelAsync();
        if (_multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully)
        {
            await _multiplexer.Value.Result.DisposeAsync();
        }
        _disposed.Dispose();
    }

    private static HubbubException Unavailable() =>
        new(ErrorCodes.Internal, "the server cannot reach its message broker right now; try again");

    /// <summary>Refuses requests from now on, and pings in the background until Redis answers again.</summary>
    private void MarkUnreachable(Exception? reason)
    {
        if (Interlocked.Exchange(ref _unreachable, 1) == 0)
        {
            Log.RedisUnavailable(_logger, reason);
            _ = ProbeUntilBackAsync();
        }
    }

    private async Task ProbeUntilBackAsync()
    {
        var token = _disposed.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(ProbeInterval, token);
                try
                {
                    var multiplexer = await GetAsync();
                    if (!multiplexer.IsConnected)
                    {
                        continue;
                    }
                    await multiplexer.GetDatabase().PingAsync().WaitAsync(Options.CommandTimeout, token);
                    Volatile.Write(ref _unreachable, 0);
                    Log.RedisAvailable(_logger);
                    return;
                }
                catch (Exception ex) when (ex is TimeoutException or RedisException)
                {
                    // Still away: ping again.
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (ObjectDisposedException)
        {
            // Disposed.
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var config = ConfigurationOptions.Parse(Options.Configuration);
        // Start even when Redis is down, and keep retrying: the node serves local connections meanwhile.
        config.AbortOnConnectFail = false;
        config.ReconnectRetryPolicy = new ExponentialRetry(250, 2_000);
        // Fail commands while disconnected instead of holding them until Redis is back (see the class remarks).
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ClientName ??= "hubbub";
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(config);
        if (!multiplexer.IsConnected)
        {
            MarkUnreachable(null);
        }
        multiplexer.ConnectionFailed += (_, e) =>
        {
            Log.ConnectionFailed(_logger, e.Exception, e.ConnectionType, e.FailureType);
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                MarkUnreachable(e.Exception);
            }
        };
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
