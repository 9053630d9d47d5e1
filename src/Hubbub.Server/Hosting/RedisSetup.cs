using Hubbub.Redis;

namespace Hubbub.Server.Hosting;

/// <summary>Switches the node onto the Redis seams when <c>ConnectionStrings:Redis</c> is set.</summary>
public static class RedisSetup
{
    /// <summary>
    /// When <c>ConnectionStrings:Redis</c> is set: registers the Redis broker, history and presence (settings
    /// from <c>Hubbub:Redis</c>) and a readiness check that fails while Redis is unreachable. Must run before
    /// <c>AddHubbubCore()</c>, which only fills the seams still empty.
    /// </summary>
    public static WebApplicationBuilder AddHubbubRedisIfConfigured(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return builder;
        }
        builder.Services.AddHubbubRedis(connectionString);
        builder.Services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.Section);
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [HubbubServerSetup.ReadyTag]);
        return builder;
    }
}
