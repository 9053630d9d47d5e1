using Hubbub.Core;
using Hubbub.Core.Connections;
using Hubbub.Storage.Migrations;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Features.Messaging;

/// <summary>Registers and maps the messaging feature: <see cref="AddMessaging"/> then <see cref="MapMessagingApi"/>.</summary>
public static class MessagingSetup
{
    /// <summary>
    /// Registers the messaging feature: options (section <c>Messaging</c>, validated at start), schema, service,
    /// the <c>conversation</c> channel namespace, the <c>chat.*</c> WebSocket commands and online status.
    /// </summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services)
    {
        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MessagingOptions>, MessagingOptionsValidator>();
        services.AddHubbubMigrations(MessagingSchema.Feature, MessagingSchema.Declare);
        services.AddSingleton<MessagingEvents>();
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<SendRateLimiter>();
        services.AddSingleton<OnlineStatusTracker>();
        services.AddSingleton<IConnectionObserver, OnlineStatusObserver>();
        services.AddSingleton<MessagingService>();
        services.AddChannelNamespace(ConversationChannelRules.Create);
        services.AddMessagingCommands();
        return services;
    }

    /// <summary>Maps the messaging REST API under <c>/api</c>.</summary>
    public static IEndpointRouteBuilder MapMessagingApi(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetService<MessagingService>() is null)
        {
            throw new InvalidOperationException("Call services.AddMessaging() before app.MapMessagingApi().");
        }
        MessagingEndpoints.Map(app);
        return app;
    }

    private sealed class MessagingOptionsValidator : IValidateOptions<MessagingOptions>
    {
        public ValidateOptionsResult Validate(string? name, MessagingOptions options) =>
            options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
