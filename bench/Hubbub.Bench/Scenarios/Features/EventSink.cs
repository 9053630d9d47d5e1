using Hubbub.Bench.Clients;

namespace Hubbub.Bench.Scenarios.Features;

/// <summary>
/// Counts the feature events of one type per connection (a frame <c>{"type":"NAME",…}</c>), and hands each to an
/// optional handler on the connection's receive loop (for latency bookkeeping).
/// </summary>
public sealed class EventSink(int connections, params string[] types) : IFrameSink
{
    private readonly long[,] _counts = new long[connections, types.Length];
    private readonly byte[][] _heads = [.. types.Select(t => System.Text.Encoding.UTF8.GetBytes($"{{\"type\":\"{t}\""))];
    private int _closed;

    /// <summary>Called with (connection, type index, frame) for every counted frame.</summary>
    public delegate void Handler(int index, int type, ReadOnlySpan<byte> frame);

    /// <summary>Optional per-frame handler.</summary>
    public Handler? OnEvent { get; init; }

    /// <summary>Connections that ended.</summary>
    public int Closed => Volatile.Read(ref _closed);

    /// <summary>Events of type number <paramref name="type"/> (in the constructor's order) on connection <paramref name="index"/>.</summary>
    public long Count(int index, int type = 0) => Interlocked.Read(ref _counts[index, type]);

    /// <summary>Events of type number <paramref name="type"/> on every connection.</summary>
    public long Total(int type = 0) => Enumerable.Range(0, _counts.GetLength(0)).Sum(i => Count(i, type));

    /// <inheritdoc />
    public void OnFrame(int index, ReadOnlySpan<byte> frame)
    {
        for (var t = 0; t < _heads.Length; t++)
        {
            if (frame.StartsWith(_heads[t]))
            {
                Interlocked.Increment(ref _counts[index, t]);
                OnEvent?.Invoke(index, t, frame);
                return;
            }
        }
    }

    /// <inheritdoc />
    public void OnClosed(int index) => Interlocked.Increment(ref _closed);
}
