using Hubbub.Features.Kit.Diagnostics;

namespace Hubbub.Features.Kit;

/// <summary>
/// The loop every kit worker runs (outbox, domain events, scheduler): sweep, then sleep until the sweep's next due time,
/// at most <see cref="KitOptions.PollMs"/>, or until woken; a failed sweep is logged and tried again after the poll.
/// </summary>
public abstract class KitLoop : BackgroundService
{
    private readonly KitOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _name;

    private protected KitLoop(KitOptions options, TimeProvider time, ILogger logger, string name, Wakeup wakeup)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _name = name;
        Wakeup = wakeup;
    }

    private protected Wakeup Wakeup { get; }

    /// <summary>The clock of every lease, retry and wait.</summary>
    protected TimeProvider Time => _time;

    /// <summary>Does the work that is due; returns when (Unix ms) the next work falls due, or null when none waits.</summary>
    protected abstract Task<long?> SweepAsync(CancellationToken cancellationToken);

    /// <summary>Runs once before the first sweep.</summary>
    protected virtual void Starting()
    {
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Starting();
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = TimeSpan.FromMilliseconds(_options.PollMs);
            try
            {
                if (await SweepAsync(stoppingToken) is { } next)
                {
                    var until = next - _time.GetUtcNow().ToUnixTimeMilliseconds();
                    wait = until < wait.TotalMilliseconds ? TimeSpan.FromMilliseconds(Math.Max(until, 0)) : wait;
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                KitLog.SweepFailed(_logger, ex, _name, _options.PollMs);
            }
            try
            {
                await Wakeup.WaitAsync(wait, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>
/// A loop over rows claimed one batch at a time with a lease (domain-event handlings, jobs): each row runs on its own,
/// and a gauge shows how many have failed <see cref="KitOptions.StuckAfterAttempts"/> times.
/// </summary>
/// <typeparam name="TRow">A claimed row.</typeparam>
public abstract class ClaimingLoop<TRow> : KitLoop
{
    private const int BatchSize = 50;
    private readonly KitOptions _options;
    private readonly Prometheus.Gauge _stuck;

    private protected ClaimingLoop(KitOptions options, TimeProvider time, ILogger logger, string name, Wakeup wakeup, Prometheus.Gauge stuck)
        : base(options, time, logger, name, wakeup)
    {
        _options = options;
        _stuck = stuck;
    }

    /// <summary>Claims up to <paramref name="limit"/> due rows under <paramref name="claim"/> until <paramref name="until"/>.</summary>
    private protected abstract Task<List<TRow>> ClaimAsync(string claim, long now, long until, int limit, CancellationToken cancellationToken);

    /// <summary>Runs one claimed row (its failures are its own to record).</summary>
    private protected abstract Task RunAsync(TRow row, string claim, CancellationToken cancellationToken);

    /// <summary>How many rows are stuck, and when the next one falls due.</summary>
    private protected abstract Task<(long Stuck, long? NextMs)> StateAsync(int stuckAfter, CancellationToken cancellationToken);

    /// <inheritdoc />
    protected override async Task<long?> SweepAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
            var claim = Guid.NewGuid().ToString("N");
            var batch = await ClaimAsync(claim, now, now + _options.LeaseMs, BatchSize, cancellationToken);
            foreach (var row in batch)
            {
                await RunAsync(row, claim, cancellationToken);
            }
            if (batch.Count < BatchSize)
            {
                break;
            }
        }
        var (stuck, next) = await StateAsync(_options.StuckAfterAttempts, cancellationToken);
        _stuck.Set(stuck);
        return next;
    }
}
