using System.Buffers;
using System.Net.WebSockets;
using Hubbub.Core.Diagnostics;

namespace Hubbub.Core.Connections;

/// <summary>The end of a connection, after its reader and last drain are done (<see cref="RunAsync"/>).</summary>
public sealed partial class ClientConnection
{
    /// <summary>How long a connection the server closed first waits for the client's close frame.</summary>
    private static readonly TimeSpan CloseLinger = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Ends the connection once the engine has removed it: when the server closed first, waits (bounded) for the
    /// client's close frame, then stops the abort timer, releases the send queue and logs the close. Call once, after
    /// <see cref="RunAsync"/>.
    /// </summary>
    internal async Task FinishAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.CloseSent)
            {
                await DiscardUntilPeerClosesAsync();
            }
        }
        finally
        {
            StopExpiryWatch();
            lock (_sendGate)
            {
                _ended = true;
                _abortTimer?.Dispose();
                _abortTimer = null;
                // The last drain is over: give back whatever a failed send left behind (its batch, the arrays a burst
                // grew), so an ended connection holds no frames while anything still refers to it.
                Array.Clear(_pending, 0, _pendingCount);
                _pendingCount = 0;
                _pending = [];
                _sending = [];
                _pendingBytes = 0;
                _sendingBytes = 0;
            }
            Log.ConnectionClosed(_logger, Id, CloseCode, _closeReason);
        }
    }

    /// <summary>
    /// The server closed first (flood, too-big frame, slow consumer, shutdown): reads and drops what the client still
    /// sends until its close frame. Closing a TCP socket with unread input makes the kernel answer with a reset, which
    /// can destroy the close frame still in flight, so the client would see a broken connection instead of 1008 or
    /// 1009. Bounded by <see cref="CloseLinger"/>; a client that does not answer in time is aborted. (When the socket
    /// itself failed the close, 1002 or 1007, what it had read is gone and this ends at once.)
    /// </summary>
    private async Task DiscardUntilPeerClosesAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        using var linger = new CancellationTokenSource(CloseLinger);
        try
        {
            while (_socket.State == WebSocketState.CloseSent)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(), linger.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The client went away or did not answer in time: nothing more to wait for.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
