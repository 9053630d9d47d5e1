using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hubbub.Core;
using Hubbub.Core.Channels;
using Hubbub.Core.Commands;
using Hubbub.Features.Kit.Callers;
using Hubbub.Features.Kit.DomainEvents;
using Hubbub.Features.Kit.Scheduling;
using Hubbub.Storage.Migrations;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Kit.Declaring;

/// <summary>What a feature declares in <see cref="HubbubFeature.Declare"/>; each method registers one thing and returns the builder.</summary>
public sealed class FeatureBuilder
{
    private readonly HubbubFeature _feature;
    private readonly List<FeatureApi> _apis;

    internal FeatureBuilder(IServiceCollection services, HubbubFeature feature, List<FeatureApi> apis)
    {
        Services = services;
        _feature = feature;
        _apis = apis;
    }

    /// <summary>The services, for the feature's own singletons.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Binds <typeparamref name="T"/> to configuration <paramref name="section"/>, validated when the server starts.</summary>
    public FeatureBuilder Options<T>(string section) where T : class, IFeatureOptions
    {
        Services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
        Services.AddSingleton<IValidateOptions<T>>(new OptionsValidator<T>());
        return this;
    }

    /// <summary>Declares the feature's schema (migrated after the kit's, in feature order).</summary>
    public FeatureBuilder Migrations(Action<MigrationSet> declare)
    {
        Services.AddHubbubMigrations(_feature.Name, declare);
        return this;
    }

    /// <summary>Declares a channel namespace: its rules, built from the feature's services (never from the engine).</summary>
    public FeatureBuilder Namespace(Func<IServiceProvider, ChannelNamespace> rules)
    {
        Services.AddChannelNamespace(rules);
        return this;
    }

    /// <summary>
    /// A WebSocket command <paramref name="type"/> whose <c>data</c> is the same record its REST endpoint reads, handled
    /// by the same service call: parsed with <paramref name="request"/>, run as the acting user (the sender, or the user an
    /// admin names in <c>data.user</c>), answered with the same JSON as REST. Validation lives in the service alone.
    /// </summary>
    public FeatureBuilder Command<TService, TRequest, TReply>(string type, JsonTypeInfo<TRequest> request, JsonTypeInfo<TReply> reply,
        Func<TService, HubbubUser, TRequest, CancellationToken, Task<TReply>> handle) where TService : notnull
    {
        Services.AddHubbubCommand(type, async (context, ct) =>
        {
            var (service, caller, data) = await BindAsync<TService, TRequest>(context, request, ct);
            return JsonSerializer.SerializeToUtf8Bytes(await handle(service, caller, data, ct), reply);
        });
        return this;
    }

    /// <summary>
    /// Answers WebSocket command <paramref name="alias"/> exactly like <paramref name="type"/>, declared before it (same
    /// handler: same validation, codes and effects). For another name of the feature (<c>messaging.send</c> beside
    /// <c>chat.send</c>); the other number of a name (<c>venue.checkin</c> beside <c>venues.checkin</c>) needs none: the
    /// command registry answers it for every command.
    /// </summary>
    public FeatureBuilder CommandAlias(string alias, string type)
    {
        var declared = Services.Select(d => d.ImplementationInstance).OfType<CommandRegistration>().SingleOrDefault(r => r.Type == type)
            ?? throw new InvalidOperationException($"command '{type}' must be declared before its alias '{alias}'");
        Services.AddHubbubCommand(alias, declared.Handler);
        return this;
    }

    /// <summary>A WebSocket command that answers <c>{}</c>; see the other overload.</summary>
    public FeatureBuilder Command<TService, TRequest>(string type, JsonTypeInfo<TRequest> request,
        Func<TService, HubbubUser, TRequest, CancellationToken, Task> handle) where TService : notnull
    {
        Services.AddHubbubCommand(type, async (context, ct) =>
        {
            var (service, caller, data) = await BindAsync<TService, TRequest>(context, request, ct);
            await handle(service, caller, data, ct);
            return null;
        });
        return this;
    }

    /// <summary>
    /// The feature's REST endpoints under <paramref name="prefix"/>: every one requires a token or the server key (401
    /// otherwise, as <c>{"code","message"}</c>), refusals map to their status with <c>reason</c>, bodies are bounded by
    /// <paramref name="maxBodyBytes"/> of the feature's options, and the group is tagged with the feature in OpenAPI.
    /// Endpoints take a <see cref="FeatureCall"/> to read their body and acting user.
    /// </summary>
    public FeatureBuilder Api<TOptions>(string prefix, Func<TOptions, int> maxBodyBytes, Action<RouteGroupBuilder> map) where TOptions : class
    {
        _apis.Add(new FeatureApi(_feature.Name, prefix, sp => maxBodyBytes(sp.GetRequiredService<IOptions<TOptions>>().Value), map));
        return this;
    }

    /// <summary>
    /// Handles domain event <paramref name="kind"/> (raised by any feature) as <paramref name="handler"/>: after the
    /// raising commit, in a transaction of its own whose commit also marks it handled, so its effect happens once; a
    /// failure is retried with backoff.
    /// </summary>
    public FeatureBuilder OnDomainEvent<TService, T>(DomainEventKind<T> kind, string handler,
        Func<TService, FeatureTransaction, T, CancellationToken, Task> handle) where TService : notnull
    {
        Services.AddSingleton(new DomainEventHandlerRegistration(kind.Type, handler, typeof(TService),
            (service, tx, json, ct) => handle((TService)service, tx, JsonSerializer.Deserialize(json, kind.Json)!, ct)));
        return this;
    }

    /// <summary>
    /// Says that domain event <paramref name="kind"/> announces the XP it is worth in <paramref name="field"/>: given
    /// while no XP rule of its type is stored (see <see cref="AnnouncedXp"/>).
    /// </summary>
    public FeatureBuilder AnnouncesXp<T>(DomainEventKind<T> kind, string field)
    {
        Services.AddSingleton(new AnnouncedXp(kind.Type, field));
        return this;
    }

    /// <summary>
    /// Handles every domain event type (the generic consumer, gamification): as <see cref="OnDomainEvent{TService, T}"/>,
    /// with the event's type, id and JSON instead of a typed record. <paramref name="takes"/>, when given, says cheaply (a
    /// read, no effect) whether the handler has work for a type at all: a raiser that handles at once
    /// (<see cref="FeatureTransaction.RaiseAndHandleAsync{T}"/>) then skips it, with its savepoint, for the types it has
    /// none for (an app's event that no activity rule names). Handlers run after the commit are not asked.
    /// </summary>
    public FeatureBuilder OnEveryDomainEvent<TService>(string handler, Func<TService, FeatureTransaction, DomainEvent, CancellationToken, Task> handle,
        Func<TService, FeatureTransaction, string, CancellationToken, Task<bool>>? takes = null)
        where TService : notnull
    {
        Services.AddSingleton(new AllDomainEventsHandlerRegistration(handler, typeof(TService),
            (service, tx, domainEvent, ct) => handle((TService)service, tx, domainEvent, ct),
            takes is null ? null : (service, tx, type, ct) => takes((TService)service, tx, type, ct)));
        return this;
    }

    /// <summary>Runs jobs of <paramref name="kind"/> when due, once across nodes, inside the transaction that removes them.</summary>
    public FeatureBuilder OnJob<TService>(string kind, Func<TService, FeatureTransaction, Job, CancellationToken, Task> handle) where TService : notnull
    {
        Services.AddSingleton(new JobHandlerRegistration(kind, typeof(TService), (service, tx, job, ct) => handle((TService)service, tx, job, ct)));
        return this;
    }

    /// <summary>
    /// The feature's page in the web console: menu entry <paramref name="title"/> at <c>#/{id}</c>, built by the ES module
    /// <paramref name="script"/> (a file in the feature's <c>Console/</c> folder, embedded in its assembly). The host serves
    /// it and lists it in <c>/console/pages.json</c>, which the console's page registry reads: no shell file changes.
    /// </summary>
    public FeatureBuilder ConsolePage(string id, string title, string script)
    {
        var pages = Services.FirstOrDefault(d => !d.IsKeyedService && d.ServiceType == typeof(ConsolePages))?.ImplementationInstance as ConsolePages;
        if (pages is null)
        {
            pages = new ConsolePages();
            Services.AddSingleton(pages);
        }
        pages.Add(new ConsolePage(_feature.Name, id, title, script, _feature.GetType().Assembly));
        return this;
    }

    private static async ValueTask<(TService Service, HubbubUser Caller, TRequest Data)> BindAsync<TService, TRequest>(CommandContext context,
        JsonTypeInfo<TRequest> request, CancellationToken ct) where TService : notnull
    {
        var data = CommandData.Parse(context, request);
        var caller = await context.Services.GetRequiredService<CallerResolver>()
            .ForUserAsync(context.User, data is IActingRequest acting ? acting.User : null, ct);
        return (context.Services.GetRequiredService<TService>(), caller, data);
    }

    private sealed class OptionsValidator<T> : IValidateOptions<T> where T : class, IFeatureOptions
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}

/// <summary>A feature's REST group, mapped by <c>MapHubbubFeatures</c>.</summary>
internal sealed record FeatureApi(string Feature, string Prefix, Func<IServiceProvider, int> MaxBodyBytes, Action<RouteGroupBuilder> Map);
