namespace Hubbub.Features.Kit.DomainEvents;

/// <summary>
/// The registered handlers, ready to run: for the dispatcher (after the commit) and for a raiser that handles an event
/// at once (<see cref="FeatureTransaction.RaiseAndHandleAsync{T}"/>). Their services are resolved on first use, not
/// when this is built: handler services write through the kit, so they cannot be its constructor dependencies.
/// </summary>
/// <param name="registrations">Handlers of one event type.</param>
/// <param name="ofEveryType">Handlers of every event type.</param>
/// <param name="services">Where their services come from.</param>
public sealed class DomainEventHandlers(IEnumerable<DomainEventHandlerRegistration> registrations,
    IEnumerable<AllDomainEventsHandlerRegistration> ofEveryType, IServiceProvider services)
{
    private readonly Lazy<(Dictionary<(string, string), (DomainEventHandlerRegistration, object)> Typed,
        Dictionary<string, (AllDomainEventsHandlerRegistration, object)> Every)> _resolved = new(() => (
            registrations.ToDictionary(r => (r.EventType, r.Handler), r => (r, services.GetRequiredService(r.Service))),
            ofEveryType.ToDictionary(r => r.Handler, r => (r, services.GetRequiredService(r.Service)), StringComparer.Ordinal)));

    /// <summary>Resolves every handler's service now (the dispatcher does so when it starts).</summary>
    internal void Resolve() => _ = _resolved.Value;

    /// <summary>
    /// Whether handler <paramref name="handler"/> has work for events of <paramref name="eventType"/>: a handler of the type
    /// always; one of every type when it declares no check (<see cref="AllDomainEventsHandlerRegistration.Takes"/>) or its
    /// check says so.
    /// </summary>
    internal Task<bool> TakesAsync(string handler, FeatureTransaction tx, string eventType, CancellationToken ct)
    {
        var (typed, every) = _resolved.Value;
        return typed.ContainsKey((eventType, handler)) || !every.TryGetValue(handler, out var any) || any.Item1.Takes is not { } takes
            ? Task.FromResult(true)
            : takes(any.Item2, tx, eventType, ct);
    }

    /// <summary>Runs handler <paramref name="handler"/> of <paramref name="domainEvent"/> inside <paramref name="tx"/>.</summary>
    internal Task InvokeAsync(string handler, FeatureTransaction tx, DomainEvent domainEvent, CancellationToken ct)
    {
        var (typed, every) = _resolved.Value;
        return typed.TryGetValue((domainEvent.Type, handler), out var one)
            ? one.Item1.Invoke(one.Item2, tx, domainEvent.Data, ct)
            : every.TryGetValue(handler, out var any)
                ? any.Item1.Invoke(any.Item2, tx, domainEvent, ct)
                : throw new InvalidOperationException($"no handler '{handler}' for '{domainEvent.Type}' is registered on this node");
    }
}
