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
    /// At most this much of a client's input is read and dropped after the WebSocket layer failed it (1002, 1007):
    /// with <see cref="CloseLinger"/> the bound a hostile client meets, however fast it sends.
    /// </summary>
    internal const int DrainMaxBytes = 1024 * 1024;

    /// <summary>
    /// True once the WebSocket layer failed the connection on bad input (1002, 1007), its close frame written, and the
    /// client's input was drained (<see cref="DrainAfterLayerCloseAsync"/>): the transport may then end gracefully,
    /// sending what it still holds (that close frame) before it closes, instead of being aborted.
    /// </summary>
    internal bool ClosedByLayerAndDrained { get; private set; }

    /// <summary>The WebSocket's state (<see cref="WebSocketState.Closed"/>: both close frames were exchanged).</summary>
    internal WebSocketState SocketState => _socket.State;

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
            else if (_socket.State == WebSocketState.Aborted && _transport is { LayerCloseCode: not 0 } transport)
            {
                await DrainAfterLayerCloseAsync(transport);
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
    /// 1009. Bounded by <see cref="CloseLinger"/>; a client that does not answer in time is aborted. (When the
    /// WebSocket layer itself failed the connection, 1002 or 1007, see <see cref="DrainAfterLayerCloseAsync"/>.)
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

    /// <summary>
    /// The WebSocket layer failed the connection on bad input (1002 broken framing, 1007 invalid UTF-8): it wrote its
    /// close frame and gave up the socket, whose framing can no longer be trusted, so the client's answer cannot be
    /// read as frames. Ending the TCP connection now, with the client's later bytes unread, would make the kernel
    /// answer with a reset that can destroy that close frame before the client reads it. So the raw input is read and
    /// dropped until the client's close frame ends it (<see cref="EndsWithClientClose"/>), or end of stream, or
    /// <see cref="CloseLinger"/>, or <see cref="DrainMaxBytes"/>; then the transport ends gracefully.
    /// </summary>
    private async Task DrainAfterLayerCloseAsync(CoalescingStream transport)
    {
        // Room for one read and, before it, the tail of the last one: a close frame split over two reads is still seen.
        var buffer = ArrayPool<byte>.Shared.Rent(4096 + MaxClientCloseFrame);
        using var linger = new CancellationTokenSource(CloseLinger);
        var drained = 0L;
        var kept = 0;
        try
        {
            while (drained < DrainMaxBytes)
            {
                var read = await transport.ReadAsync(buffer.AsMemory(kept, 4096), linger.Token);
                if (read == 0)
                {
                    break; // the client closed its side
                }
                drained += read;
                var seen = kept + read;
                if (EndsWithClientClose(buffer.AsSpan(0, seen)))
                {
                    break;
                }
                kept = Math.Min(seen, MaxClientCloseFrame);
                buffer.AsSpan(seen - kept, kept).CopyTo(buffer);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away, or kept sending past the bound: nothing more to wait for.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        ClosedByLayerAndDrained = true;
    }

    /// <summary>A client's close frame: 2 header bytes, a 4-byte mask and up to 125 bytes of payload.</summary>
    private const int MaxClientCloseFrame = 2 + 4 + 125;

    /// <summary>
    /// Whether <paramref name="input"/> ends with a whole client close frame (FIN and opcode 8, the mask bit, a
    /// length of at most 125 and then exactly that many bytes after the mask). A client's close frame is the last
    /// thing it sends, so this is where the drain may stop; a chance match only ends the drain early.
    /// </summary>
    internal static bool EndsWithClientClose(ReadOnlySpan<byte> input)
    {
        for (var length = 0; length <= 125; length++)
        {
            var start = input.Length - (6 + length);
            if (start < 0)
            {
                return false;
            }
            if (input[start] == 0x88 && input[start + 1] == (0x80 | length))
            {
                return true;
            }
        }
        return false;
    }
}
