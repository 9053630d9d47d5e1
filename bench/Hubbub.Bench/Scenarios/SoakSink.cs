using System.Text;
using Hubbub.Bench.Clients;

namespace Hubbub.Bench.Scenarios;

/// <summary>
/// The soak's clients' frames: each client's own publications coming back (found by the client's marker in the data),
/// error frames, and every frame counted. One slot per client, reused by each of its connections in turn.
/// </summary>
public sealed class SoakSink(int clients) : IFrameSink
{
    private static readonly byte[] Message = """{"type":"message","""u8.ToArray();
    private static readonly byte[] Error = """{"type":"error","""u8.ToArray();
    private readonly byte[][] _markers = [.. Enumerable.Range(0, clients).Select(i => Encoding.UTF8.GetBytes($"\"c\":{i},"))];
    private readonly int[] _own = new int[clients];
    private readonly int[] _expected = new int[clients];
    private readonly TaskCompletionSource?[] _waiters = new TaskCompletionSource?[clients];
    private long _frames;
    private long _errors;
    private long _extra;

    /// <summary>Frames received by all clients.</summary>
    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Error frames received.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Own publications received beyond those expected (duplicates).</summary>
    public long Extra => Interlocked.Read(ref _extra);

    /// <summary>The data of client <paramref name="index"/>'s <paramref name="k"/>-th message, holding its marker.</summary>
    public static string Data(int index, int k) => $$"""{"c":{{index}},"k":{{k}}}""";

    /// <summary>Starts a cycle of client <paramref name="index"/>: it will publish <paramref name="count"/> messages; the task completes when all came back.</summary>
    public Task Expect(int index, int count)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _own[index], 0);
        Volatile.Write(ref _expected[index], count);
        Volatile.Write(ref _waiters[index], waiter);
        return waiter.Task;
    }

    /// <summary>Own publications client <paramref name="index"/> received in its current cycle.</summary>
    public int Own(int index) => Volatile.Read(ref _own[index]);

    /// <inheritdoc />
    public void OnFrame(int index, ReadOnlySpan<byte> frame)
    {
        Interlocked.Increment(ref _frames);
        if (frame.StartsWith(Error))
        {
            Interlocked.Increment(ref _errors);
        }
        else if (frame.StartsWith(Message) && frame.IndexOf(_markers[index]) >= 0)
        {
            var own = Interlocked.Increment(ref _own[index]);
            var expected = Volatile.Read(ref _expected[index]);
            if (own == expected)
            {
                Volatile.Read(ref _waiters[index])?.TrySetResult();
            }
            else if (own > expected)
            {
                Interlocked.Increment(ref _extra);
            }
        }
    }

    /// <inheritdoc />
    public void OnClosed(int index)
    {
    }
}
