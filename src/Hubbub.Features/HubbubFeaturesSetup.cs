using Hubbub.Core.Connections;
using Hubbub.Core.Seams;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Callers;
using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.DomainEvents;
using Hubbub.Features.Kit.Http;
using Hubbub.Features.Kit.Notifications;
using Hubbub.Features.Kit.Outbox;
using Hubbub.Features.Kit.Scheduling;
using Hubbub.Features.Kit.Users;
using Hubbub.Storage.Migrations;

namespace Hubbub.Features;

/// <summary>
/// Composes the kit and the features: <see cref="AddHubbubFeatures"/> registers, <see cref="MapHubbubFeatures"/> maps.
/// The host calls both once and is never edited when a feature is added (the list is <see cref="FeatureCatalog.All"/>).
/// </summary>
public static class HubbubFeaturesSetup
{
    /// <summary>
    /// Registers the kit (its options, schema, outbox, domain events, scheduler, users, notifications, server calls) and
    /// then each feature (all of <see cref="FeatureCatalog.All"/> when none are given; given ones come after the kit's own). Needs <c>AddHubbubCore</c>,
    /// <c>AddHubbubStorage</c> and an <see cref="IRequestIdentity"/> from the host.
    /// </summary>
    public static IServiceCollection AddHubbubFeatures(this IServiceCollection services, params HubbubFeature[] features)
    {
        services.AddSingleton<KitSignals>();
        services.AddSingleton<DomainEventRoutes>();
        services.AddSingleton<DomainEventHandlers>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddSingleton<FeatureDatabase>();
        services.AddHostedService<DomainEventDispatcher>();
        services.AddHostedService<JobRunner>();
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<ActionRateLimiter>();
        services.AddSingleton<OnlineStatusTracker>();
        services.AddSingleton<IConnectionObserver, OnlineStatusObserver>();
        services.AddSingleton<IPresenceExpiryObserver, OnlineStatusExpiry>();
        services.AddSingleton<NotificationService>();
        services.AddSingleton<CallerResolver>();
        services.AddSingleton<IFriendGraph, NoFriendGraph>(); // a social feature registers its own after this one

        var apis = new List<FeatureApi>();
        // The kit first (its webhooks right after it): their tables are migrated before every feature's.
        foreach (var feature in (features.Length > 0 ? features : FeatureCatalog.All).Prepend(new Kit.Webhooks.WebhooksFeature()).Prepend(new KitFeature()))
        {
            feature.Declare(new FeatureBuilder(services, feature, apis));
        }
        services.AddSingleton(new FeatureApis(apis));
        return services;
    }

    /// <summary>Adds one more feature after <see cref="AddHubbubFeatures"/> (a host's own, or a test's).</summary>
    public static IServiceCollection AddHubbubFeature(this IServiceCollection services, HubbubFeature feature)
    {
        var apis = services.Select(d => d.ImplementationInstance).OfType<FeatureApis>().SingleOrDefault()
            ?? throw new InvalidOperationException("Call services.AddHubbubFeatures() before AddHubbubFeature().");
        feature.Declare(new FeatureBuilder(services, feature, apis.Declared));
        return services;
    }

    /// <summary>Maps every feature's REST group (and the kit's): auth, body bound, refusals with <c>reason</c>, OpenAPI tag.</summary>
    public static IEndpointRouteBuilder MapHubbubFeatures(this IEndpointRouteBuilder app)
    {
        var apis = app.ServiceProvider.GetService<FeatureApis>()
            ?? throw new InvalidOperationException("Call services.AddHubbubFeatures() before app.MapHubbubFeatures().");
        foreach (var api in apis.All)
        {
            var group = app.MapGroup(api.Prefix)
                .WithTags(api.Feature)
                .WithMetadata(new FeatureBodyLimit(api.MaxBodyBytes(app.ServiceProvider)))
                .AddEndpointFilter(FeatureErrors.RefusalsAsErrors)
                .AddEndpointFilter(FeatureErrors.RequireCaller);
            api.Map(group);
        }
        return app;
    }

    private sealed record FeatureApis(List<FeatureApi> Declared)
    {
        public IReadOnlyList<FeatureApi> All => Declared;
    }
}
