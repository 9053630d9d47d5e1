using System.Text.Json.Serialization.Metadata;

namespace Hubbub.Features.Kit.DomainEvents;

/// <summary>
/// A typed domain event: its name in the pipeline (<c>checkin.completed</c>) and its JSON. A feature declares one as a
/// static field; it raises it with <see cref="FeatureTransaction.RaiseAsync{T}"/> and other features handle it with
/// <see cref="Declaring.FeatureBuilder.OnDomainEvent{TService, T}"/>, neither knowing the other.
/// </summary>
/// <typeparam name="T">The event's data.</typeparam>
/// <param name="Type">The event's type name.</param>
/// <param name="Json">Its source-generated JSON.</param>
public sealed record DomainEventKind<T>(string Type, JsonTypeInfo<T> Json);

/// <summary>One handler of one domain event type, registered by a feature.</summary>
/// <param name="EventType">The event type handled.</param>
/// <param name="Handler">A name unique per event type (<c>gamification.xp</c>): its handled mark is kept under it.</param>
/// <param name="Service">The service the handler runs on, resolved when the loop starts.</param>
/// <param name="Invoke">Runs the handler on the service with the event's JSON inside the handler's transaction.</param>
public sealed record DomainEventHandlerRegistration(string EventType, string Handler, Type Service,
    Func<object, FeatureTransaction, string, CancellationToken, Task> Invoke);

/// <summary>Which handlers each event type has, so raising an event records one pending handling per handler.</summary>
public sealed class DomainEventRoutes
{
    private readonly Dictionary<string, string[]> _handlers;

    /// <summary>Builds the routes from the registered handlers; a handler name twice for one type is a start-up bug.</summary>
    public DomainEventRoutes(IEnumerable<DomainEventHandlerRegistration> registrations)
    {
        _handlers = registrations.GroupBy(r => r.EventType, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => g.Select(r => r.Handler).Distinct(StringComparer.Ordinal).Count() == g.Count()
                ? g.Select(r => r.Handler).ToArray()
                : throw new InvalidOperationException($"A handler of domain event '{g.Key}' is registered twice."),
            StringComparer.Ordinal);
    }

    /// <summary>The handler names of an event type (none when nobody listens).</summary>
    public IReadOnlyList<string> HandlersOf(string eventType) => _handlers.GetValueOrDefault(eventType) ?? [];
}
