using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Hubbub.Redis;

/// <summary>
/// Ready only while Redis answers: a node cut off from Redis cannot publish or reach other nodes, so a load
/// balancer should send new clients elsewhere. Existing connections stay open meanwhile.
/// </summary>
public sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return HealthCheckResult.Unhealthy("Redis is unreachable");
        }
        if (!redis.IsAvailable)
        {
            return HealthCheckResult.Unhealthy("Redis stopped answering; requests that need it are refused until it does");
        }
        try
        {
            var db = await redis.GetDatabaseAsync();
            await db.PingAsync().WaitAsync(PingTimeout, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("Redis does not answer", ex);
        }
    }
}
