namespace Hubbub.Server.Access;

/// <summary>Registers app-defined access: configured namespaces, the channels claim, and the app's backend as proxies.</summary>
internal static class AccessSetup
{
    /// <summary>Adds the proxies (through <see cref="IHttpClientFactory"/>) and their options.</summary>
    public static IServiceCollection AddHubbubAccess(this IServiceCollection services)
    {
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        services.AddHttpClient(ProxyCaller.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan); // ProxyCaller bounds each call
        services.AddSingleton<ProxyCaller>();
        services.AddSingleton<ProxyDecisionCache>();
        services.AddSingleton<ChannelProxy>();
        services.AddSingleton<ConnectProxy>();
        return services;
    }
}
