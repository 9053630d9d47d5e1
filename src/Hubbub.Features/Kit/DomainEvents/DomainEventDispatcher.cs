using Hubbub.Features.Kit.Diagnostics;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Kit.DomainEvents;

/// <summary>
/// Runs the handlers of committed domain events. Each pending handling is claimed by one node (a lease in the
/// database), and its handler runs in a transaction of its own that also deletes the handling only while the claim is
/// still this node's: the effect and its handled mark commit together, so each effect happens once. A failure is
/// logged, counted and retried with backoff; handlings failed <see cref="KitOptions.StuckAfterAttempts"/> times show in
/// <c>hubbub_domain_event_handlings_stuck</c>.
/// </summary>
public sealed class DomainEventDispatcher(IDatabase database, FeatureDatabase features, KitSignals signals,
    IEnumerable<DomainEventHandlerRegistration> registrations, IServiceProvider services, IOptions<KitOptions> options, TimeProvider time,
    ILogger<DomainEventDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 50;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved when the loop starts, not in the constructor: handler services write through the kit, which wakes
        // this loop, so they cannot be constructor dependencies of it.
        var handlers = registrations.ToDictionary(r => (r.EventType, r.Handler), r => (r, services.GetRequiredService(r.Service)));
        var o = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = TimeSpan.FromMilliseconds(o.PollMs);
            try
            {
                if (await SweepAsync(handlers, stoppingToken) is { } next)
                {
                    var until = next - time.GetUtcNow().ToUnixTimeMilliseconds();
                    wait = until < wait.TotalMilliseconds ? TimeSpan.FromMilliseconds(Math.Max(until, 0)) : wait;
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                KitLog.SweepFailed(logger, ex, "Domain events", o.PollMs);
            }
            try
            {
                await signals.DomainEvents.WaitAsync(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<long?> SweepAsync(Dictionary<(string, string), (DomainEventHandlerRegistration Registration, object Service)> handlers,
        CancellationToken ct)
    {
        var o = options.Value;
        while (true)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var claim = Guid.NewGuid().ToString("N");
            var batch = await DomainEventStore.ClaimAsync(database, claim, now, now + o.LeaseMs, BatchSize, ct);
            foreach (var handling in batch)
            {
                await RunAsync(handling, claim, handlers, ct);
            }
            if (batch.Count < BatchSize)
            {
                break;
            }
        }
        var (stuck, next) = await DomainEventStore.StateAsync(database, o.StuckAfterAttempts, ct);
        KitMetrics.HandlingsStuck.Set(stuck);
        return next;
    }

    private async Task RunAsync(DomainEventStore.HandlingRow handling, string claim,
        Dictionary<(string, string), (DomainEventHandlerRegistration Registration, object Service)> handlers, CancellationToken ct)
    {
        try
        {
            if (!handlers.TryGetValue((handling.Type, handling.Handler), out var handler))
            {
                throw new InvalidOperationException($"no handler '{handling.Handler}' for '{handling.Type}' is registered on this node");
            }
            await features.WriteAsync(async tx =>
            {
                await handler.Registration.Invoke(handler.Service, tx, handling.Data, ct);
                if (!await DomainEventStore.MarkHandledAsync(tx, handling.EventId, handling.Handler, claim, ct))
                {
                    // Another node took the handling over (this one outlived its lease): roll the effect back.
                    throw new InvalidOperationException("the claim on this handling expired and was taken over");
                }
            }, ct);
            KitMetrics.HandlingsDone.Inc();
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            var attempts = (int)handling.Attempts + 1;
            var delay = options.Value.RetryDelay(attempts);
            KitLog.HandlerFailed(logger, ex, handling.Handler, handling.EventId, handling.Type, attempts, (long)delay.TotalMilliseconds);
            if (attempts == options.Value.StuckAfterAttempts)
            {
                KitLog.HandlerStuck(logger, handling.Handler, handling.EventId, attempts);
            }
            KitMetrics.HandlingFailures.WithLabels(handling.Handler).Inc();
            await DomainEventStore.FailAsync(database, handling.EventId, handling.Handler,
                time.GetUtcNow().ToUnixTimeMilliseconds() + (long)delay.TotalMilliseconds, ex.Message, CancellationToken.None);
        }
    }
}
