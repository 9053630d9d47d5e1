using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Hubbub.Bench.Clients;

/// <summary>
/// The idle scenario's load-generator client, as light as a WebSocket client gets, the same for Hubbub and the Kestrel
/// baseline: a raw socket that sends a prepared upgrade head (token and key fixed before the measured loop), checks
/// the <c>101</c> and its <c>Sec-WebSocket-Accept</c>, then optionally waits for a first frame, sends one frame and
/// waits for its answer (Hubbub's <c>welcome</c>, <c>subscribe</c> and reply). Idle, it holds a 256-byte receive
/// buffer (the handshake's 4 KiB one is pooled): server pings get their pong, text frames go to the sink, and a close
/// frame ends it. <c>ClientWebSocket</c> costs the load generator 2–3× the server's CPU per connect (an HTTP
/// handler's request, headers and a stream stack per connection) and about 14–20 KiB per connection.
/// </summary>
public sealed class RawIdleClient : IBenchConnection
{
    // RFC 6455 §1.3's example key and its accept value: the key needs only to be 16 bytes in base64, and a fixed one
    // lets the answer be checked by comparing bytes.
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";
    private static readonly byte[] AcceptLine = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"u8.ToArray();
    private static readonly byte[] Switching = "HTTP/1.1 101"u8.ToArray();
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] Mask = [0x5a, 0x13, 0xc7, 0x8e];
    private const int BufferSize = 4096;
    private const int ReceiveBufferSize = 256;

    private readonly Socket _socket;
    private readonly int _index;
    private readonly IFrameSink _sink;
    private readonly Lock _sendLock = new();
    private byte[]? _partial; // the start of a frame not yet whole, between reads
    private Task _receiveLoop = Task.CompletedTask;
    private TaskCompletionSource? _closed; // set by CloseAsync: the close is ours, so the server's close frame is not echoed
    private int _ended;
    private bool _sawClose;
    private bool _orderlyEnd;

    private RawIdleClient(Socket socket, int index, IFrameSink sink)
    {
        _socket = socket;
        _index = index;
        _sink = sink;
    }

    /// <summary>The upgrade head of <c>GET <paramref name="pathAndQuery"/></c>, made once before the measured connects.</summary>
    public static byte[] UpgradeHead(int port, string pathAndQuery) => Encoding.ASCII.GetBytes(
        $"GET {pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n\r\n");

    /// <summary>A masked text frame carrying <paramref name="payload"/>.</summary>
    public static byte[] TextFrame(ReadOnlySpan<byte> payload) => ClientFrame(0x1, payload);

    /// <summary>
    /// Connects, upgrades with <paramref name="head"/>; when <paramref name="firstFrame"/> is given, waits for a text
    /// frame starting with it, then, when <paramref name="request"/> is given, sends it and waits for a text frame starting with
    /// <paramref name="answer"/> (a frame starting with <paramref name="refusal"/> fails; others go to the sink).
    /// </summary>
    /// <remarks>The first frame must hold <paramref name="welcomeMust"/> and not <paramref name="welcomeMustNot"/> when they are given.</remarks>
    public static async Task<RawIdleClient> ConnectAsync(int port, int index, byte[] head, IFrameSink sink, byte[]? firstFrame, byte[]? request,
        byte[]? answer, byte[]? refusal, CancellationToken cancellationToken, byte[]? welcomeMust = null, byte[]? welcomeMustNot = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var client = new RawIdleClient(socket, index, sink);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            if (SourceAddressSpread.NextSource() is { } source)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            await socket.SendAsync(head, SocketFlags.None, cancellationToken);
            var (start, end) = await ReadHeadAsync(socket, buffer, cancellationToken);
            if (firstFrame is not null)
            {
                (start, end) = await client.ReadUntilAsync(buffer, start, end, firstFrame, null, cancellationToken, welcomeMust, welcomeMustNot);
                if (request is not null)
                {
                    await socket.SendAsync(request, SocketFlags.None, cancellationToken);
                    (start, end) = await client.ReadUntilAsync(buffer, start, end, answer!, refusal, cancellationToken);
                }
            }
            if (end > start)
            {
                client.ParseAvailable(buffer.AsSpan(start, end - start).ToArray(), end - start);
            }
            client._receiveLoop = client.ReceiveLoopAsync();
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads the upgrade answer; returns where the bytes after it (the first frames) are in <paramref name="buffer"/>.</summary>
    private static async Task<(int Start, int End)> ReadHeadAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var end = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new IOException("the server closed the connection during the upgrade");
            }
            end += read;
            var headEnd = buffer.AsSpan(0, end).IndexOf(HeadEnd);
            if (headEnd >= 0)
            {
                var answer = buffer.AsSpan(0, headEnd + HeadEnd.Length);
                if (!answer.StartsWith(Switching) || answer.IndexOf(AcceptLine) < 0)
                {
                    throw new IOException($"the upgrade was refused: {Encoding.ASCII.GetString(answer[..Math.Min(answer.Length, 200)])}");
                }
                return (headEnd + HeadEnd.Length, end);
            }
            if (end == buffer.Length)
            {
                throw new IOException("the upgrade answer is longer than 4 KiB");
            }
        }
    }

    /// <summary>Reads frames until a text frame starting with <paramref name="wanted"/>; returns what follows it.</summary>
    private async Task<(int Start, int End)> ReadUntilAsync(byte[] buffer, int start, int end, byte[] wanted, byte[]? refusal, CancellationToken cancellationToken,
        byte[]? must = null, byte[]? mustNot = null)
    {
        while (true)
        {
            while (TryFrame(buffer.AsSpan(start, end - start), out var opcode, out var payloadAt, out var payloadLength, out var frameLength))
            {
                var payload = buffer.AsSpan(start + payloadAt, payloadLength);
                start += frameLength;
                switch (opcode)
                {
                    case 0x1 when payload.StartsWith(wanted):
                        if ((must is not null && payload.IndexOf(must) < 0) || (mustNot is not null && payload.IndexOf(mustNot) >= 0))
                        {
                            throw new IOException($"unexpected answer: {Encoding.UTF8.GetString(payload)}");
                        }
                        return (start, end);
                    case 0x1 when refusal is not null && payload.StartsWith(refusal):
                        throw new IOException($"refused: {Encoding.UTF8.GetString(payload)}");
                    case 0x1:
                        _sink.OnFrame(_index, payload);
                        break;
                    case 0x9:
                        SendFrame(0xA, payload);
                        break;
                    case 0x8:
                        throw new IOException("the server closed the connection before its answer");
                }
            }
            // Keep the unread start of a frame at the buffer's beginning, then read more behind it.
            buffer.AsSpan(start, end - start).CopyTo(buffer);
            (start, end) = (0, end - start);
            if (end == buffer.Length)
            {
                throw new IOException("a frame before the answer is longer than 4 KiB");
            }
            var read = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new IOException("the server closed the connection before its answer");
            }
            end += read;
        }
    }

    /// <summary>Whether <paramref name="data"/> starts with a whole server frame (unmasked); where its payload is and how long it is.</summary>
    private static bool TryFrame(ReadOnlySpan<byte> data, out int opcode, out int payloadAt, out int payloadLength, out int frameLength)
    {
        opcode = payloadAt = payloadLength = frameLength = 0;
        if (data.Length < 2)
        {
            return false;
        }
        opcode = data[0] & 0x0f;
        long length = data[1] & 0x7f;
        payloadAt = 2;
        if (length == 126)
        {
            if (data.Length < 4)
            {
                return false;
            }
            length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            payloadAt = 4;
        }
        else if (length == 127)
        {
            if (data.Length < 10)
            {
                return false;
            }
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(data[2..]);
            payloadAt = 10;
        }
        if (length > 16 * 1024 * 1024)
        {
            throw new IOException($"a frame of {length} bytes to an idle connection");
        }
        payloadLength = (int)length;
        frameLength = payloadAt + payloadLength;
        return data.Length >= frameLength;
    }

    private static byte[] ClientFrame(int opcode, ReadOnlySpan<byte> payload)
    {
        var headLength = payload.Length < 126 ? 2 : 4;
        var frame = new byte[headLength + 4 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        if (payload.Length < 126)
        {
            frame[1] = (byte)(0x80 | payload.Length);
        }
        else
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), checked((ushort)payload.Length));
        }
        Mask.CopyTo(frame, headLength);
        for (var i = 0; i < payload.Length; i++)
        {
            frame[headLength + 4 + i] = (byte)(payload[i] ^ Mask[i & 3]);
        }
        return frame;
    }

    private void SendFrame(int opcode, ReadOnlySpan<byte> payload)
    {
        var frame = ClientFrame(opcode, payload);
        lock (_sendLock)
        {
            try
            {
                _socket.Send(frame);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // The connection ended; the receive loop tells the sink.
            }
        }
    }

    /// <summary>Handles every whole frame in <paramref name="data"/>; keeps an unfinished one. False once a close frame came.</summary>
    private bool ParseAvailable(byte[] data, int length)
    {
        var start = 0;
        while (TryFrame(data.AsSpan(start, length - start), out var opcode, out var payloadAt, out var payloadLength, out var frameLength))
        {
            var payload = data.AsSpan(start + payloadAt, payloadLength);
            start += frameLength;
            switch (opcode)
            {
                case 0x1:
                    _sink.OnFrame(_index, payload);
                    break;
                case 0x9:
                    SendFrame(0xA, payload);
                    break;
                case 0x8:
                    _sawClose = true;
                    if (Volatile.Read(ref _closed) is null)
                    {
                        SendFrame(0x8, payload.Length >= 2 ? payload[..2] : []); // echo the server's close, as a client must
                    }
                    return false;
            }
        }
        if (start < length)
        {
            _partial = data.AsSpan(start, length - start).ToArray();
        }
        return true;
    }

    private async Task ReceiveLoopAsync()
    {
        // A small buffer of its own: idle connections get only pings, heartbeats and the close (a longer frame is put
        // together from several reads). Not a zero-byte receive and a synchronous read from a pooled buffer: on Linux a
        // socket used asynchronously emulates a blocking read by parking a thread-pool thread, which a spurious wake-up
        // turned into hundreds of parked threads and a stalled connect storm.
        var buffer = new byte[ReceiveBufferSize];
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    _orderlyEnd = true; // the server closed its side (FIN), as the Kestrel baseline answers a close frame
                    break;
                }
                var data = buffer;
                var length = read;
                if (_partial is { } partial)
                {
                    data = [.. partial, .. buffer.AsSpan(0, read)];
                    length = data.Length;
                    _partial = null;
                }
                if (!ParseAvailable(data, length))
                {
                    // The close handshake is done: as RFC 6455 §7.1.1 asks, the server ends the TCP connection first
                    // (so the TIME_WAIT is the server's and the load generator's ephemeral ports stay free for the next
                    // server's connections, as with ClientWebSocket); waited for a bounded time.
                    using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    while (await _socket.ReceiveAsync(buffer, SocketFlags.None, bound.Token) > 0)
                    {
                    }
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            // The connection ended; the sink learns it below.
        }
        finally
        {
            Volatile.Read(ref _closed)?.TrySetResult();
            _socket.Dispose();
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                _sink.OnClosed(_index);
            }
        }
    }

    /// <summary>
    /// Closes with the close handshake (1000): sends the close frame and waits for the server's, or for the server to
    /// end the TCP connection in order (the Kestrel baseline ends its handler on a close frame without answering it;
    /// <c>ClientWebSocket</c> counted that as closed too). A reset or no answer in time throws.
    /// </summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _closed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        SendFrame(0x8, [0x03, 0xe8]);
        await _receiveLoop.WaitAsync(cancellationToken);
        if (!_sawClose && !_orderlyEnd)
        {
            throw new IOException("the connection was not closed in order");
        }
    }

    /// <inheritdoc />
    public void Abort()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        try
        {
            await _receiveLoop;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            // Ended on purpose.
        }
    }
}
