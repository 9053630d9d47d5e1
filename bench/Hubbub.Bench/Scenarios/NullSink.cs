using Hubbub.Bench.Clients;

namespace Hubbub.Bench.Scenarios;

/// <summary>A sink that only counts lost connections (idle connections expect nothing but heartbeats).</summary>
public sealed class NullSink : IFrameSink
{
    private int _closed;

    /// <summary>Connections that ended.</summary>
    public int Closed => Volatile.Read(ref _closed);

    /// <inheritdoc />
    public void OnFrame(int index, ReadOnlySpan<byte> frame)
    {
    }

    /// <inheritdoc />
    public void OnClosed(int index) => Interlocked.Increment(ref _closed);
}
