namespace Hubbub.Bench.Clients;

/// <summary>Round trips over a <see cref="WsClient"/>: send one frame, wait for the frame that answers it.</summary>
internal sealed class EchoOverWs : IEchoClient
{
    private readonly WsClient _client;
    private readonly Func<byte[], byte[]> _frame;
    private TaskCompletionSource? _pending;

    public EchoOverWs(WsClient client, Func<byte[], byte[]> frame)
    {
        _client = client;
        _frame = frame;
    }

    /// <summary>Called by the receive loop with frames that answer a round trip.</summary>
    public void Answered() => Volatile.Read(ref _pending)?.TrySetResult();

    /// <summary>Called when the socket ends.</summary>
    public void Failed() => Volatile.Read(ref _pending)?.TrySetException(new IOException("the echo connection closed"));

    public async ValueTask RoundTripAsync(byte[] payload, CancellationToken cancellationToken)
    {
        var pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _pending, pending);
        await _client.SendAsync(_frame(payload), cancellationToken);
        await pending.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
