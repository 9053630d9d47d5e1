using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Hubbub.Features.Kit.Text;

/// <summary>
/// JSON text written through a buffer and writer kept per thread. Why: the SQLite writer thread builds a few JSON
/// strings per event (the batch outbox row, the keyed notices' rows), each of which made a fresh buffer about its
/// size and a fresh <see cref="Utf8JsonWriter"/> besides the string itself; the buffer and writer are garbage the
/// writer thread then collects. Here only the string is new.
/// </summary>
internal static class JsonText
{
    /// <summary>A buffer grown past this is not kept (a rare large batch does not pin its size on the thread).</summary>
    private const int KeptCapacity = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>
    /// The text <paramref name="write"/> writes for <paramref name="state"/> (the default writer options). Reentrant: a
    /// write inside a write gets a buffer of its own.
    /// </summary>
    public static string Write<TState>(TState state, int sizeHint, Action<Utf8JsonWriter, TState> write) =>
        Write(state, sizeHint, write, static bytes => Encoding.UTF8.GetString(bytes));

    /// <summary>
    /// The UTF-8 bytes <paramref name="write"/> writes for <paramref name="state"/>, as an array of their own: for text that
    /// goes to the database as bytes (the outbox's batch row), where a string would be encoded to UTF-8 again for the bind.
    /// </summary>
    public static byte[] WriteUtf8<TState>(TState state, int sizeHint, Action<Utf8JsonWriter, TState> write) =>
        Write(state, sizeHint, write, static bytes => bytes.ToArray());

    private static TResult Write<TState, TResult>(TState state, int sizeHint, Action<Utf8JsonWriter, TState> write, Func<ReadOnlySpan<byte>, TResult> result)
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(Math.Max(sizeHint, 256));
        var writer = t_writer;
        t_buffer = null; // taken: a nested write makes its own
        t_writer = null;
        if (writer is null)
        {
            writer = new Utf8JsonWriter(buffer);
        }
        else
        {
            writer.Reset(buffer);
        }
        try
        {
            write(writer, state);
            writer.Flush();
            return result(buffer.WrittenSpan);
        }
        finally
        {
            buffer.ResetWrittenCount();
            writer.Reset(); // gives up the buffer and any state a failed write left
            if (buffer.Capacity <= KeptCapacity)
            {
                t_buffer = buffer;
                t_writer = writer;
            }
        }
    }
}
