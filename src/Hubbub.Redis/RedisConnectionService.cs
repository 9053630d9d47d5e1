using Microsoft.Extensions.Hosting;

namespace Hubbub.Redis;

/// <summary>Opens the Redis connection when the host starts (never in a constructor) and closes it at stop.</summary>
public sealed class RedisConnectionService(RedisConnection connection) : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => connection.GetAsync();

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken) => await connection.DisposeAsync();
}
