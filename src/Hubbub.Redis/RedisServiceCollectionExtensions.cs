using Hubbub.Core.Seams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hubbub.Redis;

/// <summary>Registers the Redis seams.</summary>
public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Redis broker, history, presence and node relay, the connection and its hosted services, and
    /// <see cref="RedisHealthCheck"/> (the caller adds it to its health checks). Call it BEFORE
    /// <c>AddHubbubCore()</c>, whose in-memory seams are registered with <c>TryAdd</c> and then stay out.
    /// </summary>
    public static IServiceCollection AddHubbubRedis(this IServiceCollection services, string connectionString,
        Action<RedisOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        services.AddOptions<RedisOptions>()
            .Configure(o =>
            {
                o.Configuration = connectionString;
                configure?.Invoke(o);
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<RedisHistoryStore>();
        services.TryAddSingleton<RedisBroker>();
        services.TryAddSingleton<RedisPresenceStore>();
        services.TryAddSingleton<RedisHealthCheck>();
        services.TryAddSingleton<IHistoryStore>(sp => sp.GetRequiredService<RedisHistoryStore>());
        services.TryAddSingleton<IBroker>(sp => sp.GetRequiredService<RedisBroker>());
        services.TryAddSingleton<IPresenceStore>(sp => sp.GetRequiredService<RedisPresenceStore>());
        services.TryAddSingleton<INodeRelay, RedisNodeRelay>();
        services.AddHostedService<RedisConnectionService>();
        services.AddSingleton<RedisPresenceHeartbeat>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisPresenceHeartbeat>());
        return services;
    }
}
