using Hubbub.Redis;

namespace Hubbub.Server.Admin;

/// <summary>Registers the admin API's services: this node's numbers and, with Redis, the reports of the others.</summary>
public static class AdminSetup
{
    /// <summary>Call after the Redis seams were (or were not) registered.</summary>
    public static IServiceCollection AddHubbubAdmin(this IServiceCollection services)
    {
        services.AddSingleton<NodeStats>();
        services.AddHostedService<NodeStatsSampler>();
        if (services.Any(s => s.ServiceType == typeof(RedisConnection)))
        {
            services.AddSingleton<RedisAdminCluster>();
            services.AddSingleton<IAdminCluster>(sp => sp.GetRequiredService<RedisAdminCluster>());
            services.AddHostedService(sp => sp.GetRequiredService<RedisAdminCluster>());
        }
        else
        {
            services.AddSingleton<IAdminCluster, SingleNodeCluster>();
        }
        return services;
    }
}
