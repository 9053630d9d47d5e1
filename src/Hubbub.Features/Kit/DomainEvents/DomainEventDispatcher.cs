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
internal sealed class DomainEventDispatcher(IDatabase database, FeatureDatabase features, KitSignals signals, DomainEventHandlers handlers,
    IOptions<KitOptions> options, TimeProvider time,
    ILogger<DomainEventDispatcher> logger) : ClaimingLoop<DomainEventStore.HandlingRow>(options.Value, time, logger, "Domain events", signals.DomainEvents, KitMetrics.HandlingsStuck)
{
    /// <inheritdoc />
    protected override void Starting() => handlers.Resolve(); // a handler whose service cannot be built fails at start, not on first use

    /// <inheritdoc />
    private protected override Task<List<DomainEventStore.HandlingRow>> ClaimAsync(string claim, long now, long until, int limit, CancellationToken cancellationToken) =>
        DomainEventStore.ClaimAsync(database, claim, now, until, limit, cancellationToken);

    /// <inheritdoc />
    private protected override Task<(long Stuck, long? NextMs)> StateAsync(int stuckAfter, CancellationToken cancellationToken) =>
        DomainEventStore.StateAsync(database, stuckAfter, cancellationToken);

    private protected override async Task RunAsync(DomainEventStore.HandlingRow row, string claim, CancellationToken ct)
    {
        try
        {
            await features.WriteAsync(async tx =>
            {
                await handlers.InvokeAsync(row.Handler, tx, new DomainEvent(row.EventId, row.Type, row.Data), ct);
                if (!await DomainEventStore.MarkHandledAsync(tx, row.EventId, row.Handler, claim, ct))
                {
                    // Another node took the handling over (this one outlived its lease): roll the effect back.
                    throw new InvalidOperationException("the claim on this handling expired and was taken over");
                }
            }, ct);
            KitMetrics.HandlingsDone.Inc();
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            var attempts = (int)row.Attempts + 1;
            var delay = options.Value.RetryDelay(attempts);
            KitLog.HandlerFailed(logger, ex, row.Handler, row.EventId, row.Type, attempts, (long)delay.TotalMilliseconds);
            if (attempts == options.Value.StuckAfterAttempts)
            {
                KitLog.HandlerStuck(logger, row.Handler, row.EventId, attempts);
            }
            KitMetrics.HandlingFailures.WithLabels(row.Handler).Inc();
            await DomainEventStore.FailAsync(database, row.EventId, row.Handler,
                Time.GetUtcNow().ToUnixTimeMilliseconds() + (long)delay.TotalMilliseconds, ex.Message, CancellationToken.None);
        }
    }
}
