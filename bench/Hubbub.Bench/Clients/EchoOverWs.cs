namespace Hubbub.Bench.Clients;

/// <summary>
/// Round trips over a <see cref="WsClient"/>: send one frame, then read frames on the same flow until the one that
/// answers it. There is no receive loop: a loop handing the answer over to the waiting round trip would add a
/// thread hop of the load generator's own to every round trip, whose wake-up cost varies from run to run more
/// than the servers under test differ.
/// </summary>
internal sealed class EchoOverWs : IEchoClient
{
    private readonly WsClient _client;
    private readonly Func<byte[], byte[]> _frame;
    private readonly WsClient.FramePredicate _isAnswer;
    private readonly byte[][] _buffer = [new byte[1024]];

    /// <param name="client">A connected client whose receive loop is not started.</param>
    /// <param name="frame">Wraps a payload in the frame that asks for its echo.</param>
    /// <param name="isAnswer">Whether a received frame is the answer (other frames are skipped).</param>
    public EchoOverWs(WsClient client, Func<byte[], byte[]> frame, WsClient.FramePredicate isAnswer)
    {
        _client = client;
        _frame = frame;
        _isAnswer = isAnswer;
    }

    public async ValueTask RoundTripAsync(byte[] payload, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await _client.SendAsync(_frame(payload), timeout.Token);
        // Bounded: every frame read is either the answer or skipped, and the timeout ends the wait.
        while (true)
        {
            var length = await _client.ReceiveOneAsync(_buffer, timeout.Token)
                ?? throw new IOException("the echo connection closed");
            if (_isAnswer(_buffer[0].AsSpan(0, length)))
            {
                return;
            }
        }
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
