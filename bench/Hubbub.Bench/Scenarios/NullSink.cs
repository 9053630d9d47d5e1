using Hubbub.Bench.Clients;

namespace Hubbub.Bench.Scenarios;

/// <summary>A sink that only counts lost connections (idle connections expect nothing but heartbeats).</summary>
public sealed class NullSink : IFrameSink
{
    private int _closed;
    private long _frames;

    /// <summary>Connections that ended.</summary>
    public int Closed => Volatile.Read(ref _closed);

    /// <summary>Frames received (heartbeats, for idle connections).</summary>
    public long Frames => Interlocked.Read(ref _frames);

    /// <inheritdoc />
    public void OnFrame(int index, ReadOnlySpan<byte> frame) => Interlocked.Increment(ref _frames);

    /// <inheritdoc />
    public void OnClosed(int index) => Interlocked.Increment(ref _closed);
}
