using Hubbub.Core.Channels;
using Hubbub.Core.Commands;
using Hubbub.Core.Connections;
using Hubbub.Core.Ephemeral;
using Hubbub.Core.Memory;
using Hubbub.Core.Publishing;
using Hubbub.Core.Seams;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Hubbub.Core;

/// <summary>Registers the engine and, unless something registered others first, the in-memory seams.</summary>
public static class HubbubCoreServices
{
    /// <summary>
    /// Adds the engine, channel rules, registries and the embedded (in-memory) broker, history and presence.
    /// A scale-out package registers its own seams before or after this; <c>TryAdd</c> keeps the first.
    /// </summary>
    public static IServiceCollection AddHubbubCore(this IServiceCollection services)
    {
        services.AddOptions<HubbubOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ChannelRules>();
        services.TryAddSingleton<CommandRegistry>();
        services.TryAddSingleton<ConnectionRegistry>();
        services.TryAddSingleton<SubscriberRegistry>();
        // Brokers deliver through the receiving side of typing, which ends a typing whose sender's node died.
        services.TryAddSingleton<IBrokerSink>(sp => new ReceivedTypingExpiry(sp.GetRequiredService<SubscriberRegistry>(),
            sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromMilliseconds(sp.GetRequiredService<IOptions<HubbubOptions>>().Value.TypingTimeoutMs)));
        services.TryAddSingleton(sp => new MemoryHistoryStore(sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<HubbubOptions>>().Value.MaxHistoryBytes));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MemoryHistorySweeper>());
        services.TryAddSingleton<IHistoryStore>(sp => sp.GetRequiredService<MemoryHistoryStore>());
        services.TryAddSingleton<IBroker>(sp => new MemoryBroker(sp.GetRequiredService<MemoryHistoryStore>(), sp.GetRequiredService<IBrokerSink>()));
        services.TryAddSingleton<IPresenceStore, MemoryPresenceStore>();
        services.TryAddSingleton<INodeRelay, MemoryNodeRelay>();
        services.TryAddSingleton<HubbubEngine>();
        services.TryAddSingleton<ChannelPublisher>();
        services.TryAddSingleton<IChannelPublisher>(sp => sp.GetRequiredService<ChannelPublisher>());
        return services;
    }

    /// <summary>Declares a feature's channel namespace (its subscribe and publish rules).</summary>
    public static IServiceCollection AddChannelNamespace(this IServiceCollection services, Func<IServiceProvider, ChannelNamespace> factory) =>
        services.AddSingleton(factory);

    /// <summary>Registers a feature command reachable over the WebSocket by its frame type.</summary>
    public static IServiceCollection AddHubbubCommand(this IServiceCollection services, string type, CommandHandler handler) =>
        services.AddSingleton(new CommandRegistration(type, handler));
}
