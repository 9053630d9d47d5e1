using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Hubbub.Core.Connections;

/// <summary>
/// How many bytes of the transport's pooled blocks are rented right now, read from the memory pool's own meter
/// (<c>Microsoft.AspNetCore.MemoryPool</c>: blocks allocated, minus those pooled, minus those evicted). The heartbeat sweep
/// waits on it so that its pings' sends are never far ahead of the transport (see
/// <see cref="ConnectionHost.SendHeartbeatsAsync"/>). Zero, and never waited on, where no such pool reports (a host
/// without Kestrel, the core's tests). Covers every pool of the process: a bound, not an account.
/// </summary>
internal sealed class TransportBacklog : IDisposable
{
    private const string PoolMeter = "Microsoft.AspNetCore.MemoryPool";

    private readonly MeterListener _listener = new();
    // One cell per instrument, handed to the listener as the measurement's state: the callback (on every block rented or
    // returned) adds to it without looking at the instrument's name.
    private readonly Cell _allocated = new();
    private readonly Cell _pooled = new();
    private readonly Cell _evicted = new();

    public TransportBacklog()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name != PoolMeter)
            {
                return;
            }
            var cell = instrument.Name switch
            {
                "aspnetcore.memory_pool.allocated" => _allocated,
                "aspnetcore.memory_pool.pooled" => _pooled,
                "aspnetcore.memory_pool.evicted" => _evicted,
                _ => null,
            };
            if (cell is not null)
            {
                listener.EnableMeasurementEvents(instrument, cell);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, _, state) => Interlocked.Add(ref ((Cell)state!).Value, value));
        _listener.Start();
    }

    /// <summary>Bytes of pooled blocks rented now (relative: it counts from when this was made).</summary>
    public long RentedBytes => Volatile.Read(ref _allocated.Value) - Volatile.Read(ref _pooled.Value) - Volatile.Read(ref _evicted.Value);

    /// <summary>
    /// Waits (after going behind the thread pool's queued work once) until <see cref="RentedBytes"/> is at most
    /// <paramref name="limit"/>, or until <paramref name="giveUpAt"/> (a <see cref="Stopwatch"/> timestamp) has passed.
    /// </summary>
    public async ValueTask WaitAtMostAsync(long limit, long giveUpAt)
    {
        await BehindQueuedWork.Instance;
        while (RentedBytes > limit && Stopwatch.GetTimestamp() < giveUpAt)
        {
            // A millisecond's sleep, not a spin: the transport's queues need the CPU this thread would take.
            await Task.Delay(1);
        }
    }

    private sealed class Cell
    {
        public long Value;
    }

    /// <summary>Stops listening.</summary>
    public void Dispose() => _listener.Dispose();
}
