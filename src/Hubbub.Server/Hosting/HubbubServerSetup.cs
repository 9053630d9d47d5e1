using System.Diagnostics.Tracing;
using Hubbub.Core;
using Hubbub.Features;
using Hubbub.Features.Kit.Callers;
using Hubbub.Server.Access;
using Hubbub.Server.Admin;
using Hubbub.Server.Api;
using Hubbub.Server.Auth;
using Hubbub.Server.Realtime;
using Hubbub.Server.WebConsole;
using Hubbub.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Prometheus;

namespace Hubbub.Server.Hosting;

/// <summary>Composes the server: <see cref="AddHubbubServer"/> registers, <see cref="MapHubbubServer"/> maps.</summary>
public static class HubbubServerSetup
{
    /// <summary>The health-check tag of readiness checks.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Registers options (validated at start), auth, the engine and its seams (Redis when configured), storage, features and hosted services.</summary>
    public static WebApplicationBuilder AddHubbubServer(this WebApplicationBuilder builder)
    {
        // Off, not merely quiet: request-start logs print the query string, where the WebSocket token travels, and
        // at any enabled level this category makes every request hold a logging scope and an Activity for its
        // lifetime, which for a WebSocket is the connection's (about 0.6 KB each, measured in bench/).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        ScopesWhenPrinted.AddTo(builder); // Kestrel's connection scope is held by every connection: captured only when printed

        ConnectionLevelAccept.AddTo(builder);

        var services = builder.Services;
        services.AddOptions<HubbubOptions>().BindConfiguration(HubbubOptions.Section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<HubbubOptions>, HubbubOptionsValidator>();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section);
        builder.AddHubbubRedisIfConfigured(); // before AddHubbubCore: its in-memory seams are TryAdd
        services.AddHubbubCore();
        services.AddHubbubAuthentication();
        services.AddHubbubAccess(); // configured namespaces, the channels claim, the app's backend as proxies
        services.AddHubbubStorage(builder.Configuration, builder.Environment, ReadyTag);
        services.AddSingleton<OriginPolicy>();
        services.AddApiCors();
        services.AddOptions<Realtime.Fallback.FallbackOptions>().BindConfiguration(Realtime.Fallback.FallbackOptions.Section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<Realtime.Fallback.FallbackOptions>, Realtime.Fallback.FallbackOptionsValidator>();
        services.AddSingleton<Realtime.Fallback.FallbackSessions>();
        services.AddSingleton<GracefulShutdown>();
        services.AddHostedService(sp => sp.GetRequiredService<GracefulShutdown>());
        services.AddHostedService<HeartbeatService>();
        services.AddHostedService<NativeMemoryTrimService>();
        services.AddHealthChecks().AddCheck<ReadinessCheck>("shutdown", tags: [ReadyTag]);
        services.AddProblemDetails();
        services.AddTransient<IStartupFilter, JsonContentTypeDefault>(); // ahead of routing: a JSON body need not say so
        services.AddOpenApi(options => options.AddDocumentTransformer<OpenApiSecurity>());
        services.AddSingleton<IRequestIdentity, RequestIdentity>();
        services.AddHubbubFeatures(); // the kit and every feature of FeatureCatalog.All
        services.AddHubbubAdmin();
        return builder;
    }

    /// <summary>Maps the console, <c>/ws</c>, the server API, the feature APIs and OpenAPI, the SDK files, health and metrics.</summary>
    public static WebApplication MapHubbubServer(this WebApplication app)
    {
        if (app.Services.GetService<HubbubEngine>() is null)
        {
            throw new InvalidOperationException("Call builder.AddHubbubServer() before app.MapHubbubServer().");
        }
        // Touch the metrics so /metrics lists them (at zero) before the first connection.
        Hubbub.Core.Diagnostics.HubbubMetrics.Connections.Set(app.Services.GetRequiredService<HubbubEngine>().Connections.Count);
        AppNamespaces.Declare(app.Services); // before any connection can ask for one of them
        Realtime.Fallback.FallbackEndpoint.Map(app); // ahead of WebSocketEndpoint, whose /ws branch would take /ws/sse
        WebSocketEndpoint.Map(app); // ahead of authentication (see WebSocketEndpoint) and of the console's file lookups
        app.UseApiCors(); // ahead of the error bodies and authentication: preflights end here, refusals carry the headers
        app.UseApiErrorBodies();
        app.UseHubbubConsole();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapServerPublish();
        app.MapAdminApi();
        app.MapOpenApi();
        app.MapApiReference(app.Environment); // Development only: a browsable page of the OpenAPI document
        app.MapHubbubFeatures();
        app.MapHubbubSdk();
        app.MapDevTokenEndpoint(app.Environment);
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) });
        // prometheus-net's event counter adapter (started at the first scrape) enables the runtime's, ASP.NET Core's and
        // System.Net's event sources at Informational for every keyword, yet reads only their counters, which are
        // written at LogAlways and pass any level: at Informational Kestrel and the sockets also write every
        // connection's start and stop events (endpoints as text, a payload list each) to it for nothing.
        Metrics.ConfigureEventCounterAdapter(options =>
            options.EventSourceSettingsProvider = _ => new EventCounterAdapterEventSourceSettings { MinimumLevel = EventLevel.Critical });
        app.MapMetrics("/metrics");
        return app;
    }
}
