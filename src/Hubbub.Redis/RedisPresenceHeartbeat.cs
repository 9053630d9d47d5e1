using Hubbub.Core;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hubbub.Redis;

/// <summary>
/// Every third of the presence TTL: refreshes this node's presence entries, sweeps the expired entries of dead
/// nodes in the channels this node serves, and announces each user who thereby left with
/// <c>presence_leave</c> through the broker, so every node's subscribers hear it, and to the
/// <see cref="IPresenceExpiryObserver"/>s (online status hears that a user's last connection died with its node).
/// </summary>
public sealed class RedisPresenceHeartbeat(RedisPresenceStore presence, IBroker broker, RedisConnection redis,
    IOptions<HubbubOptions> options, TimeProvider time, ILogger<RedisPresenceHeartbeat> logger,
    IEnumerable<IPresenceExpiryObserver>? observers = null) : BackgroundService
{
    private readonly IPresenceExpiryObserver[] _observers = observers?.ToArray() ?? [];

    /// <summary>One heartbeat: refresh, sweep, announce. Exposed for tests that drive a fake clock.</summary>
    public async Task BeatAsync(CancellationToken cancellationToken = default)
    {
        await presence.RefreshAsync(cancellationToken);
        foreach (var (channel, user, lastSeen) in await presence.SweepAsync(cancellationToken))
        {
            Log.PresenceExpired(logger, user.User, channel);
            foreach (var observer in _observers)
            {
                // The entry is gone from Redis already: one observer's failure must not cost the others or the leave.
                try
                {
                    await observer.OnExpiredAsync(channel, user, lastSeen, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.PresenceExpiryObserverFailed(logger, ex, user.User, channel);
                }
            }
            if (!options.Value.JoinLeaveForChannel(channel))
            {
                continue; // the namespace does not announce leaves
            }
            var frame = FrameWriter.Presence(MessageTypes.PresenceLeave, channel, user);
            await broker.PublishEphemeralAsync(channel, new EphemeralEvent(frame, null, null), cancellationToken);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(100, redis.Options.PresenceTtl.TotalMilliseconds / 3));
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await BeatAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Redis is away: the next tick retries, and restores the entries if Redis lost them.
                    Log.PresenceHeartbeatFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
