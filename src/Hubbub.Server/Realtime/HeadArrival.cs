using System.Buffers;

namespace Hubbub.Server.Realtime;

/// <summary>
/// Watches the bytes of a request head that <see cref="ConnectionLevelAccept"/> leaves to the HTTP layer after it
/// has already waited for some of them, for the moment the HTTP layer can answer the head at once: its end has
/// arrived, or it is longer than any head Kestrel takes. Handing the connection on before then would start Kestrel's
/// headers timeout afresh and give a client that trickles its head that timeout twice.
/// </summary>
/// <remarks>
/// The end is the first empty line as Kestrel reads line ends (LF, with or without CR before it): an LF followed
/// by LF, or by CR and one more byte (CRLF ends the head; anything else after the CR is refused at once). Each read
/// scans only what arrived since the last one.
/// </remarks>
internal sealed class HeadArrival(HeadLimits limits)
{
    private long _scanFrom;

    /// <summary>True when the HTTP layer would answer <paramref name="buffer"/> (a connection's first bytes) at once.</summary>
    public bool IsComplete(ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length >= limits.LongestHead)
        {
            return true;
        }
        var reader = new SequenceReader<byte>(buffer);
        reader.Advance(_scanFrom);
        while (reader.TryAdvanceTo((byte)'\n'))
        {
            if (!reader.TryPeek(out var next) || (next == (byte)'\r' && !reader.TryPeek(1, out _)))
            {
                _scanFrom = reader.Consumed - 1; // look at this LF again when more has arrived
                return false;
            }
            if (next is (byte)'\n' or (byte)'\r')
            {
                return true;
            }
        }
        _scanFrom = buffer.Length;
        return false;
    }
}
