using Hubbub.Bench.Clients;
using Hubbub.Bench.Measure;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// Counts chat <c>message</c> events at the participants and their delivery latency. The bench's message text
/// is <c>s=STEP n=SEQ t=TIMESTAMP xxx…</c> (plain text, as chat stores it verbatim).
/// </summary>
public sealed class ChatSink : IFrameSink
{
    private long _delivered;
    private int _closed;

    /// <summary>Delivery latency from the send to each participant.</summary>
    public LatencyHistogram Latency { get; private set; } = new();

    /// <summary>Starts latency afresh (after a warm-up).</summary>
    public void ResetLatency() => Latency = new LatencyHistogram();

    /// <summary>Messages received, over all participants.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Participants whose connection ended.</summary>
    public int Closed => Volatile.Read(ref _closed);

    /// <summary>The text of message <paramref name="seq"/>, about 150 characters, stamped now.</summary>
    public static string Text(long seq)
    {
        var head = $"s=1 n={seq} t={System.Diagnostics.Stopwatch.GetTimestamp()} ";
        return head + new string('x', Math.Max(1, Payload.Size - head.Length));
    }

    /// <inheritdoc />
    public void OnFrame(int index, ReadOnlySpan<byte> frame)
    {
        if (!frame.StartsWith("""{"type":"message","""u8) || frame.IndexOf("\"text\":\"s=1 "u8) < 0
            || !Payload.TryNumber(frame, " t="u8, out var timestamp))
        {
            return;
        }
        Latency.Record(Payload.MicrosecondsSince(timestamp));
        Interlocked.Increment(ref _delivered);
    }

    /// <inheritdoc />
    public void OnClosed(int index) => Interlocked.Increment(ref _closed);
}
