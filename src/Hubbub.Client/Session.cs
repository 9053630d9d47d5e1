using System.Buffers;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace Hubbub.Client;

/// <summary>
/// One open socket: a single writer loop drains <see cref="TryWrite"/>'s queue (a WebSocket allows one send at a
/// time), and <see cref="ReceiveAsync"/> is called by the client's single reader loop.
/// </summary>
internal sealed class Session : IDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Channel<byte[]> _outbound = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ArrayBufferWriter<byte> _incoming = new(4096);
    private readonly int _maxFrameBytes;
    private readonly Task _writer;
    private int _closeRequested;

    public Session(ClientWebSocket socket, int maxFrameBytes)
    {
        _socket = socket;
        _maxFrameBytes = maxFrameBytes;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Why the session ended when the client itself cut it (heartbeat timeout, oversized frame).</summary>
    public string? AbortReason { get; private set; }

    /// <summary>Queues a frame; false once the session is closing.</summary>
    public bool TryWrite(byte[] frame) => _outbound.Writer.TryWrite(frame);

    /// <summary>The close code the server sent, if any.</summary>
    public int? CloseCode => _socket.CloseStatus is { } s ? (int)s : null;

    /// <summary>The close description the server sent, if any.</summary>
    public string? CloseDescription => _socket.CloseStatusDescription;

    /// <summary>Cuts the connection at once; the pending receive fails and the reader loop ends.</summary>
    public void Abort(string reason)
    {
        AbortReason ??= reason;
        _socket.Abort();
    }

    /// <summary>Reads one whole text message; null when the server closed the connection.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken ct)
    {
        _incoming.ResetWrittenCount();
        while (true)
        {
            var memory = _incoming.GetMemory(4096);
            var result = await _socket.ReceiveAsync(memory, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await AnswerCloseAsync();
                return null;
            }
            _incoming.Advance(result.Count);
            if (_incoming.WrittenCount > _maxFrameBytes)
            {
                Abort($"the server sent a frame larger than {_maxFrameBytes} bytes");
                return null;
            }
            if (result.EndOfMessage)
            {
                return _incoming.WrittenMemory;
            }
        }
    }

    /// <summary>
    /// Closes gracefully with <paramref name="code"/>: stops accepting frames, lets the writer send what is queued,
    /// then sends the close frame (from here, so the socket still has one sender). Aborts after <paramref name="grace"/>.
    /// </summary>
    public async Task CloseAsync(WebSocketCloseStatus code, string reason, TimeSpan grace, TimeProvider time)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) == 1)
        {
            return;
        }
        _outbound.Writer.TryComplete();
        using var timeout = new CancellationTokenSource(grace, time);
        try
        {
            await _writer.WaitAsync(timeout.Token);
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(code, reason, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            Abort("close handshake did not finish in time");
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var frame in _outbound.Reader.ReadAllAsync())
            {
                await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The reader notices the dead socket and ends the session; nothing more to send.
            _socket.Abort();
        }
    }

    private async Task AnswerCloseAsync()
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) == 1 || _socket.State != WebSocketState.CloseReceived)
        {
            return;
        }
        _outbound.Writer.TryComplete();
        try
        {
            // Echo the close only after the writer stopped, so two sends never overlap.
            await _writer.WaitAsync(TimeSpan.FromSeconds(2));
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException or IOException or TimeoutException)
        {
            _socket.Abort();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _outbound.Writer.TryComplete();
        _socket.Dispose();
    }
}
