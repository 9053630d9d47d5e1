using System.Collections.Concurrent;
using System.Text;

namespace Hubbub.Bench.Clients;

/// <summary>
/// A Hubbub connection for request/reply commands (e.g. <c>chat.create</c>, <c>chat.send</c>): each request gets a
/// numeric id and its task completes with the reply (or error) frame carrying that id.
/// </summary>
public sealed class HubbubCommandClient : IAsyncDisposable
{
    private readonly WsClient _client;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<byte[]>> _pending = new();
    private long _nextId;

    internal HubbubCommandClient(WsClient client)
    {
        _client = client;
        client.StartReceiving(OnFrame, () =>
        {
            foreach (var (_, waiter) in _pending)
            {
                waiter.TrySetException(new IOException("the command connection closed"));
            }
        });
    }

    /// <summary>Sends <c>{"type":type,"id":N,"data":dataJson}</c> and returns the answering frame (reply or error).</summary>
    public async Task<byte[]> RequestAsync(string type, string dataJson, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var waiter = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        await _client.SendAsync(Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"id\":{id},\"data\":{dataJson}}}"), cancellationToken);
        try
        {
            return await waiter.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Whether a frame is a reply (not an error).</summary>
    public static bool IsReply(ReadOnlySpan<byte> frame) => frame.StartsWith("""{"type":"reply","""u8);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private void OnFrame(ReadOnlySpan<byte> frame)
    {
        if (!(frame.StartsWith("""{"type":"reply","id":"""u8) || frame.StartsWith("""{"type":"error","id":"""u8))
            || !Payload.TryNumber(frame, "\"id\":"u8, out var id))
        {
            return;
        }
        if (_pending.TryGetValue(id, out var waiter))
        {
            waiter.TrySetResult(frame.ToArray());
        }
    }
}
