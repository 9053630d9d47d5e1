namespace Hubbub.Bench.Clients;

/// <summary>Receives every frame a bench connection gets, on that connection's receive loop.</summary>
public interface IFrameSink
{
    /// <summary>A text frame (or SignalR message payload) arrived on connection <paramref name="index"/>.</summary>
    void OnFrame(int index, ReadOnlySpan<byte> frame);

    /// <summary>Connection <paramref name="index"/> closed or failed.</summary>
    void OnClosed(int index);
}
