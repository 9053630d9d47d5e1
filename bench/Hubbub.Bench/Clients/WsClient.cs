using System.Net.WebSockets;

namespace Hubbub.Bench.Clients;

/// <summary>
/// A plain WebSocket client for the load generator: one receive loop handing each whole text frame to a callback
/// from a reused buffer (no allocation per frame), and sequential sends.
/// </summary>
public sealed class WsClient : IBenchConnection
{
    // One handler for every connection: each upgrade takes its own TCP connection anyway, and thousands of
    // handlers would each carry their own pools and timers.
    private static readonly HttpMessageInvoker SharedInvoker = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = TimeSpan.Zero,
    });

    // The same, but each connection's socket bound to the next of SourceAddresses first: one source address has only
    // the ephemeral port range (about 28,000 ports) towards one server port.
    private static readonly HttpMessageInvoker SpreadInvoker = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = TimeSpan.Zero,
        ConnectCallback = SourceAddressSpread.ConnectAsync,
    });

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private Task _receiveLoop = Task.CompletedTask;

    private WsClient()
    {
    }

    /// <summary>The socket's state.</summary>
    public WebSocketState State => _socket.State;

    /// <summary>Connects to <paramref name="uri"/>; the receive loop is started separately.</summary>
    public static async Task<WsClient> ConnectAsync(Uri uri, CancellationToken cancellationToken)
    {
        var client = new WsClient();
        client._socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await client._socket.ConnectAsync(uri, SourceAddressSpread.Active ? SpreadInvoker : SharedInvoker, cancellationToken);
        }
        catch
        {
            client._socket.Dispose();
            throw;
        }
        return client;
    }

    /// <summary>Receives one whole text frame into <paramref name="buffer"/> (grown as needed); null when the socket closed.</summary>
    public async Task<int?> ReceiveOneAsync(byte[][] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            if (length == buffer[0].Length)
            {
                Array.Resize(ref buffer[0], buffer[0].Length * 2);
            }
            result = await _socket.ReceiveAsync(buffer[0].AsMemory(length), cancellationToken);
            length += result.Count;
        }
        while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
        return result.MessageType == WebSocketMessageType.Close ? null : length;
    }

    /// <summary>Starts the receive loop: every frame goes to <paramref name="onFrame"/>, the end to <paramref name="onClosed"/>.</summary>
    public void StartReceiving(FrameHandler onFrame, Action onClosed, byte[][]? buffer = null)
    {
        _receiveLoop = ReceiveLoopAsync(onFrame, onClosed, buffer ?? [new byte[1024]]);
    }

    /// <summary>Handles one frame.</summary>
    public delegate void FrameHandler(ReadOnlySpan<byte> frame);

    /// <summary>Tells something about one frame.</summary>
    public delegate bool FramePredicate(ReadOnlySpan<byte> frame);

    /// <summary>Sends one text frame; sends are serialized.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await _sendGate.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>
    /// Closes with the close handshake (1000): sends the close frame and waits until the receive loop has read the
    /// server's. Not <c>CloseAsync</c>, which would receive on its own beside the running receive loop.
    /// </summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        await _sendGate.WaitAsync(cancellationToken);
        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
        }
        finally
        {
            _sendGate.Release();
        }
        await _receiveLoop.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public void Abort() => _socket.Abort();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        try
        {
            await _receiveLoop;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted on purpose.
        }
        _socket.Dispose();
        _sendGate.Dispose();
    }

    private async Task ReceiveLoopAsync(FrameHandler onFrame, Action onClosed, byte[][] buffer)
    {
        try
        {
            while (true)
            {
                var length = await ReceiveOneAsync(buffer, CancellationToken.None);
                if (length is not { } n)
                {
                    break;
                }
                onFrame(buffer[0].AsSpan(0, n));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection ended; the sink learns it below.
        }
        finally
        {
            onClosed();
        }
    }
}
