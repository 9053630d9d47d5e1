using System.Diagnostics;
using Hubbub.Bench.Clients;
using Hubbub.Bench.Measure;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// Counts what each subscriber receives in the current ladder step: in-order deliveries, duplicates, latency,
/// and lost connections. Frames of other steps (stragglers) are ignored. Each subscriber's counters are written
/// only by its own receive loop.
/// </summary>
public sealed class FanoutSink : IFrameSink
{
    private readonly long[] _lastSeq;
    private readonly long[] _received;
    private readonly bool[] _closed;
    private volatile int _step = -1;
    private long _total;
    private long _duplicates;
    private long _lastDeliveryTimestamp;

    /// <summary>Creates counters for <paramref name="subscribers"/> subscribers.</summary>
    public FanoutSink(int subscribers)
    {
        _lastSeq = new long[subscribers];
        _received = new long[subscribers];
        _closed = new bool[subscribers];
    }

    /// <summary>Latencies of the current step.</summary>
    public LatencyHistogram Latency { get; private set; } = new();

    /// <summary>In-order deliveries in the current step.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Deliveries seen twice or out of order in the current step.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>When the last delivery of the step arrived (a <see cref="Stopwatch"/> timestamp).</summary>
    public long LastDeliveryTimestamp => Interlocked.Read(ref _lastDeliveryTimestamp);

    /// <summary>Subscribers whose connection ended.</summary>
    public int Closed
    {
        get
        {
            var n = 0;
            for (var i = 0; i < _closed.Length; i++)
            {
                n += Volatile.Read(ref _closed[i]) ? 1 : 0;
            }
            return n;
        }
    }

    /// <summary>Subscribers that received at least one frame of the current step.</summary>
    public int Reached
    {
        get
        {
            var n = 0;
            for (var i = 0; i < _received.Length; i++)
            {
                n += Volatile.Read(ref _received[i]) > 0 ? 1 : 0;
            }
            return n;
        }
    }

    /// <summary>Starts counting step <paramref name="step"/> afresh.</summary>
    public void BeginStep(int step)
    {
        _step = -1;
        Latency = new LatencyHistogram();
        Array.Fill(_lastSeq, -1);
        Array.Clear(_received);
        Interlocked.Exchange(ref _total, 0);
        Interlocked.Exchange(ref _duplicates, 0);
        Interlocked.Exchange(ref _lastDeliveryTimestamp, 0);
        _step = step;
    }

    /// <inheritdoc />
    public void OnFrame(int index, ReadOnlySpan<byte> frame)
    {
        if (!Payload.TryParse(frame, out var fields) || fields.Step != _step)
        {
            return;
        }
        Latency.Record(Payload.MicrosecondsSince(fields.Timestamp));
        if (fields.Seq > _lastSeq[index])
        {
            _lastSeq[index] = fields.Seq;
            Volatile.Write(ref _received[index], _received[index] + 1);
            Interlocked.Increment(ref _total);
            Interlocked.Exchange(ref _lastDeliveryTimestamp, Stopwatch.GetTimestamp());
        }
        else
        {
            Interlocked.Increment(ref _duplicates);
        }
    }

    /// <inheritdoc />
    public void OnClosed(int index) => Volatile.Write(ref _closed[index], true);
}
