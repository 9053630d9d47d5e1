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
internal sealed class JobRunner(IDatabase database, FeatureDatabase features, KitSignals signals, IEnumerable<JobHandlerRegistration> registrations,
    IServiceProvider services, IOptions<KitOptions> options, TimeProvider time, ILogger<JobRunner> logger)
    : ClaimingLoop<JobStore.JobRow>(options.Value, time, logger, "Scheduler", signals.Jobs, KitMetrics.JobsStuck)
{
    private Dictionary<string, (JobHandlerRegistration Registration, object Service)> _handlers = [];

    /// <inheritdoc />
    protected override void Starting() =>
        // Each registration names its handler's service by type: resolved once, when the loop starts.
        _handlers = registrations.ToDictionary(r => r.Kind, r => (r, services.GetRequiredService(r.Service)), StringComparer.Ordinal);

    /// <inheritdoc />
    private protected override Task<List<JobStore.JobRow>> ClaimAsync(string claim, long now, long until, int limit, CancellationToken cancellationToken) =>
        JobStore.ClaimAsync(database, claim, now, until, limit, cancellationToken);

    /// <inheritdoc />
    private protected override Task<(long Stuck, long? NextMs)> StateAsync(int stuckAfter, CancellationToken cancellationToken) =>
        JobStore.StateAsync(database, stuckAfter, cancellationToken);

    private protected override async Task RunAsync(JobStore.JobRow row, string claim, CancellationToken ct)
    {
        try
        {
            if (!_handlers.TryGetValue(row.Kind, out var handler))
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
            await JobStore.FailAsync(database, row, Time.GetUtcNow().ToUnixTimeMilliseconds() + (long)delay.TotalMilliseconds, ex.Message,
                CancellationToken.None);
        }
    }
}
