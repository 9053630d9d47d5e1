using System.Text.Json.Serialization.Metadata;

namespace Hubbub.Features.Kit.DomainEvents;

/// <summary>
/// A typed domain event: its name in the pipeline (<c>checkin.completed</c>) and its JSON. A feature declares one as a
/// static field; it raises it with <see cref="FeatureTransaction.RaiseAsync{T}(DomainEventKind{T}, T, CancellationToken)"/> and other features handle it with
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

/// <summary>A committed domain event as a handler of every type sees it.</summary>
/// <param name="Id">The event's id, unique across the pipeline (an idempotency key for what it causes).</param>
/// <param name="Type">Its type name (<c>checkin.completed</c>).</param>
/// <param name="Data">Its JSON.</param>
public sealed record DomainEvent(long Id, string Type, string Data);

/// <summary>
/// A handler of every domain event type (gamification's rules attribute any event to its <c>user</c>): it gets each
/// event's type, id and JSON, with the same once-per-event guarantee as a typed handler.
/// </summary>
/// <param name="Handler">A name unique among all handlers: its handled mark is kept under it.</param>
/// <param name="Service">The service the handler runs on, resolved when the loop starts.</param>
/// <param name="Invoke">Runs the handler on the service inside the handler's transaction.</param>
/// <param name="Takes">
/// Whether the handler has work for an event type, asked by a raiser that handles at once
/// (<see cref="FeatureTransaction.RaiseAndHandleAsync{T}"/>) before it runs the handler: a read, in the raiser's
/// transaction, with no effect. Null: every type.
/// </param>
public sealed record AllDomainEventsHandlerRegistration(string Handler, Type Service,
    Func<object, FeatureTransaction, DomainEvent, CancellationToken, Task> Invoke,
    Func<object, FeatureTransaction, string, CancellationToken, Task<bool>>? Takes = null);

/// <summary>Which handlers each event type has, so raising an event records one pending handling per handler.</summary>
public sealed class DomainEventRoutes
{
    private readonly Dictionary<string, string[]> _handlers;
    private readonly string[] _ofEveryType;

    /// <summary>Builds the routes from the registered handlers; a handler name twice for one type is a start-up bug.</summary>
    public DomainEventRoutes(IEnumerable<DomainEventHandlerRegistration> registrations, IEnumerable<AllDomainEventsHandlerRegistration> ofEveryType)
    {
        _ofEveryType = ofEveryType.Select(r => r.Handler).ToArray();
        _handlers = registrations.GroupBy(r => r.EventType, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => g.Select(r => r.Handler).Concat(_ofEveryType).Distinct(StringComparer.Ordinal).Count() == g.Count() + _ofEveryType.Length
                ? g.Select(r => r.Handler).Concat(_ofEveryType).ToArray()
                : throw new InvalidOperationException($"A handler of domain event '{g.Key}' is registered twice."),
            StringComparer.Ordinal);
        if (_ofEveryType.Distinct(StringComparer.Ordinal).Count() != _ofEveryType.Length)
        {
            throw new InvalidOperationException("A handler of every domain event is registered twice.");
        }
    }

    /// <summary>The handler names of an event type: its own and those of every type (none when nobody listens).</summary>
    public IReadOnlyList<string> HandlersOf(string eventType) => _handlers.GetValueOrDefault(eventType) ?? _ofEveryType;
}
