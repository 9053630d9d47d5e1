using Hubbub.Core.Channels;
using Hubbub.Core.Diagnostics;
using Hubbub.Core.Seams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hubbub.Core.Memory;

/// <summary>
/// Runs <see cref="MemoryHistoryStore.Sweep"/> every <see cref="Interval"/> on the node's <see cref="TimeProvider"/>
/// (so tests drive it with a fake clock), when the in-memory history is the one in use: expired publications are
/// freed within an interval of expiring, and streams nobody here follows leave with their last publication.
/// </summary>
public sealed class MemoryHistorySweeper(IHistoryStore history, SubscriberRegistry subscribers, TimeProvider time,
    ILogger<MemoryHistorySweeper> logger) : IHostedService, IDisposable
{
    /// <summary>How often the sweep runs.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private ITimer? _timer;
    private int _sweeping;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (history is MemoryHistoryStore store)
        {
            _timer = time.CreateTimer(_ => Sweep(store), null, Interval, Interval);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _timer = null;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => _timer?.Dispose();

    private void Sweep(MemoryHistoryStore store)
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return; // the previous sweep is still running
        }
        try
        {
            store.Sweep(channel => subscribers.CountOf(channel) > 0);
            HubbubMetrics.HistoryBytes.Set(store.HeldBytes);
        }
        catch (Exception ex)
        {
            Log.HistorySweepFailed(logger, ex);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
