using System.Text.Json;
using Hubbub.Redis;
using StackExchange.Redis;

namespace Hubbub.Server.Admin;

/// <summary>
/// The admin API across nodes that share Redis. Every <see cref="ReportInterval"/> each node writes its
/// <see cref="NodeReport"/> and its channels' local subscriber counts (the <see cref="MaxChannelsReported"/> most
/// subscribed) under keys that expire after <see cref="ReportTtl"/>, and lists itself in a sorted set by report time;
/// a node that stops reporting drops out of every answer within that time (and at once when it stops cleanly).
/// A disconnect is a message on one pub/sub channel every node listens to.
/// </summary>
/// <remarks>
/// Keys: <c>{prefix}{admin}:nodes</c> (sorted set: node → report time in ms), <c>{prefix}{admin}:node:{id}</c> (the
/// report's JSON), <c>{prefix}{admin}:channels:{id}</c> (hash: channel → subscribers); pub/sub
/// <c>{prefix}admin:disconnect</c> (a user id). The <c>{admin}</c> hash tag keeps them in one Redis Cluster slot.
/// </remarks>
public sealed partial class RedisAdminCluster(RedisConnection redis, NodeStats stats, TimeProvider time,
    ILogger<RedisAdminCluster> logger) : BackgroundService, IAdminCluster
{
    /// <summary>How often a node writes its report.</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(2);

    /// <summary>How long a report counts: a node silent this long is gone from the answers.</summary>
    public static readonly TimeSpan ReportTtl = TimeSpan.FromSeconds(10);

    /// <summary>Channels a node reports at most (its most subscribed).</summary>
    public const int MaxChannelsReported = 10_000;

    private readonly string _prefix = redis.Options.KeyPrefix + "{admin}:";
    private RedisChannel DisconnectChannel => RedisChannel.Literal(redis.Options.KeyPrefix + "admin:disconnect");
    private RedisKey NodesKey => _prefix + "nodes";
    private RedisKey ReportKey(string node) => _prefix + "node:" + node;
    private RedisKey ChannelsKey(string node) => _prefix + "channels:" + node;

    /// <inheritdoc />
    public bool IsCluster => true;

    /// <inheritdoc />
    public Task<IReadOnlyList<(NodeReport Report, IReadOnlyDictionary<string, int> Channels)>> OtherNodesAsync(CancellationToken cancellationToken) =>
        redis.ExecuteAsync<IReadOnlyList<(NodeReport, IReadOnlyDictionary<string, int>)>>(async m =>
        {
            var db = m.GetDatabase();
            var since = (time.GetUtcNow() - ReportTtl).ToUnixTimeMilliseconds();
            var ids = await db.SortedSetRangeByScoreAsync(NodesKey, since, double.PositiveInfinity);
            var others = ids.Select(id => id.ToString()).Where(id => id != stats.NodeId).ToList();
            var reads = others.Select(id => (Report: db.StringGetAsync(ReportKey(id)), Channels: db.HashGetAllAsync(ChannelsKey(id)))).ToList();
            var result = new List<(NodeReport, IReadOnlyDictionary<string, int>)>(others.Count);
            foreach (var (reportRead, channelsRead) in reads)
            {
                var json = await reportRead;
                if (json.IsNullOrEmpty)
                {
                    continue; // expired between the two reads
                }
                var report = JsonSerializer.Deserialize((byte[])json!, AdminJsonContext.Default.NodeReport);
                if (report is null)
                {
                    continue;
                }
                var channels = (await channelsRead).ToDictionary(e => e.Name.ToString(), e => (int)e.Value, StringComparer.Ordinal);
                result.Add((report, channels));
            }
            return result;
        });

    /// <inheritdoc />
    public Task<long> DisconnectElsewhereAsync(string user, CancellationToken cancellationToken) =>
        redis.ExecuteAsync(m => m.GetSubscriber().PublishAsync(DisconnectChannel, user));

    /// <summary>Writes this node's report now (the loop does so every <see cref="ReportInterval"/>).</summary>
    public async Task ReportAsync()
    {
        var report = stats.Report();
        var channels = stats.Channels()
            .OrderByDescending(c => c.Subscribers)
            .Take(MaxChannelsReported)
            .Select(c => new HashEntry(c.Channel, c.Subscribers))
            .ToArray();
        var json = JsonSerializer.SerializeToUtf8Bytes(report, AdminJsonContext.Default.NodeReport);
        await redis.ExecuteAsync(async m =>
        {
            var transaction = m.GetDatabase().CreateTransaction();
            _ = transaction.StringSetAsync(ReportKey(report.Node), json, ReportTtl);
            _ = transaction.KeyDeleteAsync(ChannelsKey(report.Node));
            if (channels.Length > 0)
            {
                _ = transaction.HashSetAsync(ChannelsKey(report.Node), channels);
                _ = transaction.KeyExpireAsync(ChannelsKey(report.Node), ReportTtl);
            }
            _ = transaction.SortedSetAddAsync(NodesKey, report.Node, report.ReportedAt.ToUnixTimeMilliseconds());
            // Nodes that stopped reporting long ago leave the set (their keys have expired already).
            _ = transaction.SortedSetRemoveRangeByScoreAsync(NodesKey, double.NegativeInfinity,
                (report.ReportedAt - (ReportTtl * 6)).ToUnixTimeMilliseconds());
            return await transaction.ExecuteAsync();
        }, failFast: false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscribed = false;
        using var timer = new PeriodicTimer(ReportInterval, time);
        try
        {
            do
            {
                try
                {
                    if (!subscribed)
                    {
                        // Restored by the multiplexer after a reconnect, so subscribed once for the node's life.
                        var subscriber = (await redis.GetAsync()).GetSubscriber();
                        await subscriber.SubscribeAsync(DisconnectChannel, (_, user) => OnDisconnect(user));
                        subscribed = true;
                    }
                    await ReportAsync();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Redis is away: the next tick tries again.
                    LogReportFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            // Leave the answers at once rather than after the expiry.
            var db = await redis.GetDatabaseAsync();
            await db.SortedSetRemoveAsync(NodesKey, stats.NodeId).WaitAsync(redis.Options.CommandTimeout, cancellationToken);
            await db.KeyDeleteAsync([ReportKey(stats.NodeId), ChannelsKey(stats.NodeId)]).WaitAsync(redis.Options.CommandTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            // Redis is away: the report expires by itself.
        }
    }

    private void OnDisconnect(RedisValue user)
    {
        if (user.IsNullOrEmpty)
        {
            return;
        }
        var id = user.ToString();
        var closed = stats.Disconnect(id);
        if (closed > 0)
        {
            LogDisconnected(logger, id, closed);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write this node's admin report to Redis; retrying")]
    private static partial void LogReportFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "An operator disconnected user {User}: {Count} connection(s) closed on this node")]
    private static partial void LogDisconnected(ILogger logger, string user, int count);
}
