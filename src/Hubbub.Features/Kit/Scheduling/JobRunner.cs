using Hubbub.Features.Kit.Diagnostics;
using Hubbub.Storage;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Kit.Scheduling;

/// <summary>
/// Runs due jobs on the kit's <see cref="TimeProvider"/>. Each node claims due jobs with a lease in the database; the
/// handler runs in a transaction that also deletes the job, only while this node's claim on this schedule of it holds,
/// so each job runs once across nodes. On start every job already due (it fell due while the nodes were down) runs.
/// Sleeps until the next job is due, at most <see cref="KitOptions.PollMs"/> (jobs another node scheduled), and wakes
/// at once when this node schedules one.
/// </summary>
public sealed class JobRunner(IDatabase database, FeatureDatabase features, KitSignals signals, IEnumerable<JobHandlerRegistration> registrations,
    IServiceProvider services, IOptions<KitOptions> options, TimeProvider time, ILogger<JobRunner> logger) : BackgroundService
{
    private const int BatchSize = 50;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resolved when the loop starts: handler services schedule through the kit, which wakes this loop.
        var handlers = registrations.ToDictionary(r => r.Kind, r => (r, services.GetRequiredService(r.Service)), StringComparer.Ordinal);
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
                KitLog.SweepFailed(logger, ex, "Scheduler", o.PollMs);
            }
            try
            {
                await signals.Jobs.WaitAsync(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<long?> SweepAsync(Dictionary<string, (JobHandlerRegistration Registration, object Service)> handlers, CancellationToken ct)
    {
        var o = options.Value;
        while (true)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var claim = Guid.NewGuid().ToString("N");
            var batch = await JobStore.ClaimAsync(database, claim, now, now + o.LeaseMs, BatchSize, ct);
            foreach (var job in batch)
            {
                await RunAsync(job, claim, handlers, ct);
            }
            if (batch.Count < BatchSize)
            {
                break;
            }
        }
        var (stuck, next) = await JobStore.StateAsync(database, o.StuckAfterAttempts, ct);
        KitMetrics.JobsStuck.Set(stuck);
        return next;
    }

    private async Task RunAsync(JobStore.JobRow row, string claim, Dictionary<string, (JobHandlerRegistration Registration, object Service)> handlers,
        CancellationToken ct)
    {
        try
        {
            if (!handlers.TryGetValue(row.Kind, out var handler))
            {
                KitLog.JobWithoutHandler(logger, row.Kind, row.JobKey);
                throw new InvalidOperationException($"no handler for job kind '{row.Kind}' is registered on this node");
            }
            var job = new Job(row.Kind, row.JobKey, DateTimeOffset.FromUnixTimeMilliseconds(row.DueMs), row.Payload, (int)row.Attempts);
            await features.WriteAsync(async tx =>
            {
                await handler.Registration.Invoke(handler.Service, tx, job, ct);
                if (!await JobStore.CompleteAsync(tx, row, claim, ct))
                {
                    // Rescheduled or taken over meanwhile: roll this run's effect back.
                    throw new InvalidOperationException("the job was rescheduled or its claim was taken over");
                }
            }, ct);
            KitMetrics.JobsRun.WithLabels(row.Kind).Inc();
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            var attempts = (int)row.Attempts + 1;
            var delay = options.Value.RetryDelay(attempts);
            KitLog.JobFailed(logger, ex, row.Kind, row.JobKey, attempts, (long)delay.TotalMilliseconds);
            KitMetrics.JobFailures.WithLabels(row.Kind).Inc();
            await JobStore.FailAsync(database, row, time.GetUtcNow().ToUnixTimeMilliseconds() + (long)delay.TotalMilliseconds, ex.Message,
                CancellationToken.None);
        }
    }
}
