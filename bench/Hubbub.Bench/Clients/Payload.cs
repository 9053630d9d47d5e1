using System.Buffers.Text;
using System.Diagnostics;
using System.Text;

namespace Hubbub.Bench.Clients;

/// <summary>
/// The bench's message body, about 150 bytes of JSON: <c>{"s":STEP,"n":SEQ,"t":TIMESTAMP,"p":"xxx…"}</c>.
/// <c>t</c> is a <see cref="Stopwatch"/> timestamp taken just before sending; the load generator is one process
/// on the same box, so the receive time minus <c>t</c> is the publish-to-receive latency.
/// </summary>
public static class Payload
{
    /// <summary>Target size of a payload in bytes.</summary>
    public const int Size = 150;

    /// <summary>Builds a payload for step <paramref name="step"/>, sequence <paramref name="seq"/>, stamped now.</summary>
    public static byte[] Create(int step, long seq)
    {
        var head = $$"""{"s":{{step}},"n":{{seq}},"t":{{Stopwatch.GetTimestamp()}},"p":" """.TrimEnd();
        var pad = Math.Max(1, Size - head.Length - 2);
        return Encoding.UTF8.GetBytes(head + new string('x', pad) + "\"}");
    }

    /// <summary>A parsed payload.</summary>
    public readonly record struct Fields(int Step, long Seq, long Timestamp);

    /// <summary>Finds the payload's fields anywhere in a frame (the server's envelope around it is ignored).</summary>
    public static bool TryParse(ReadOnlySpan<byte> frame, out Fields fields)
    {
        fields = default;
        if (!TryNumber(frame, "\"s\":"u8, out var step) || !TryNumber(frame, "\"n\":"u8, out var seq)
            || !TryNumber(frame, "\"t\":"u8, out var timestamp))
        {
            return false;
        }
        fields = new Fields((int)step, seq, timestamp);
        return true;
    }

    /// <summary>Reads the integer after <paramref name="key"/> (e.g. <c>"offset":</c>).</summary>
    public static bool TryNumber(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> key, out long value)
    {
        value = 0;
        var at = frame.IndexOf(key);
        return at >= 0 && Utf8Parser.TryParse(frame[(at + key.Length)..], out value, out _);
    }

    /// <summary>Microseconds since a <see cref="Stopwatch"/> timestamp.</summary>
    public static long MicrosecondsSince(long timestamp) =>
        (Stopwatch.GetTimestamp() - timestamp) * 1_000_000 / Stopwatch.Frequency;
}
