using System.Buffers;
using Hubbub.Protocol;

namespace Hubbub.Core.Connections;

/// <summary>
/// The transport under a server WebSocket, able to hold writes back so that several frames reach the transport
/// in one write. Kestrel flushes its pipe (and usually makes a send call) on every write of an upgraded stream;
/// a connection whose queue holds several frames would pay that once per frame. Between <see cref="HoldWrites"/>
/// and the write after <see cref="FlushOnNextWrite"/> every frame the WebSocket writes, data or control (a
/// keep-alive ping sent meanwhile lands in the same buffer, in order), is copied into one pooled buffer and
/// written once; a close frame ends the window at once. Outside that window writes and flushes pass straight
/// through, and reads always do.
/// </summary>
/// <remarks>
/// No lock of its own: the WebSocket serializes its writes (one send at a time), and the buffer is written out
/// inside a WebSocket write, never beside one. Only the writer of the owning connection calls
/// <see cref="HoldWrites"/> and <see cref="FlushOnNextWrite"/>, and always in that order around its sends.
/// </remarks>
public sealed class CoalescingStream(Stream inner) : Stream
{
    /// <summary>Held bytes are written out once they pass this size, so a long batch never holds a large buffer.</summary>
    public const int MaxHeldBytes = 16 * 1024;

    private byte[]? _held;
    private int _heldLength;
    private volatile bool _holding;
    private volatile bool _flushOnNextWrite;

    /// <summary>Holds the following writes back until the write after <see cref="FlushOnNextWrite"/>.</summary>
    public void HoldWrites()
    {
        _flushOnNextWrite = false;
        _holding = true;
    }

    /// <summary>The next write (normally the batch's last frame) writes out everything held, itself included.</summary>
    public void FlushOnNextWrite() => _flushOnNextWrite = true;

    /// <summary>
    /// The close code (1002, 1007) of the close frame the WebSocket layer wrote by itself on bad input, or 0. The
    /// layer sends these without a reason; the reason is added here (<see cref="WithReason"/>), so the client learns
    /// what it did wrong.
    /// </summary>
    public int LayerCloseCode { get; private set; }

    /// <summary>
    /// True when the WebSocket on this stream was made without a keep-alive of its own and the engine keeps it alive
    /// instead (<see cref="CheckKeepAlive"/>, from the heartbeat sweep). The door that makes the socket sets it.
    /// </summary>
    /// <remarks>
    /// The WebSocket layer's keep-alive is a timer per connection (with its state about 240 bytes, firing every quarter
    /// of the interval) and sends its PING in a transport write of its own. The sweep already visits every connection
    /// every half heartbeat; here the PING is appended to the connection's next frame (the sweep's <c>ping</c> on an idle
    /// connection), so both go out in one write.
    /// </remarks>
    public bool KeepsAlive { get; init; }

    // Engine keep-alive state (KeepsAlive only), in Environment.TickCount64 milliseconds. The WebSocket calls ReadAsync
    // again after it has taken what came in, so the last call is when the peer was last heard from. Whether a PING was
    // answered is told by the count of those calls, not by their time: on loopback the PONG comes back within the
    // clock's resolution (4-10 ms), at the very tick the PING went out.
    private long _lastReadTicks = Environment.TickCount64;
    private long _reads;
    private long _readsAtPing;
    private long _pingWrittenTicks; // when the last PING went out (0: none yet)
    private long _pingAskedTicks; // when the pending PING was asked for
    private volatile bool _pingOnNextWrite;

    /// <summary>An unmasked server PING control frame without payload (FIN, opcode 9, length 0).</summary>
    private static readonly byte[] PingFrame = [0x89, 0x00];

    /// <summary>
    /// The heartbeat sweep's keep-alive step: asks for a PING on the next write once the peer has been quiet for
    /// <paramref name="quietMs"/>, and says <see cref="KeepAliveState.Dead"/> when a PING has had no answer (no input at
    /// all) for <paramref name="timeoutMs"/>, or could not be written for <paramref name="timeoutMs"/> plus
    /// <paramref name="quietMs"/> (a peer that stopped reading, its sends stuck).
    /// </summary>
    internal KeepAliveState CheckKeepAlive(long now, long quietMs, long timeoutMs)
    {
        var lastRead = Volatile.Read(ref _lastReadTicks);
        var pingWritten = Volatile.Read(ref _pingWrittenTicks);
        if (pingWritten != 0 && Volatile.Read(ref _reads) == Volatile.Read(ref _readsAtPing))
        {
            return now - pingWritten >= timeoutMs ? KeepAliveState.Dead : KeepAliveState.Waiting;
        }
        if (_pingOnNextWrite)
        {
            return now - Volatile.Read(ref _pingAskedTicks) >= timeoutMs + quietMs ? KeepAliveState.Dead : KeepAliveState.Waiting;
        }
        if (now - lastRead < quietMs)
        {
            return KeepAliveState.Alive;
        }
        Volatile.Write(ref _pingAskedTicks, now);
        _pingOnNextWrite = true;
        return KeepAliveState.PingAsked;
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (WithReason(buffer.Span) is { } withReason)
        {
            buffer = withReason;
        }
        // A PING asked for by the sweep goes after this frame, in the same write; never after a close frame.
        var ping = _pingOnNextWrite && !IsCloseFrame(buffer.Span);
        if (!_holding && !ping)
        {
            return inner.WriteAsync(buffer, cancellationToken);
        }
        if (ping)
        {
            _pingOnNextWrite = false;
            Volatile.Write(ref _readsAtPing, Volatile.Read(ref _reads));
            Volatile.Write(ref _pingWrittenTicks, Environment.TickCount64);
            if (!_holding)
            {
                // A window of this one write: the frame and the PING go out together.
                _holding = true;
                _flushOnNextWrite = true;
            }
        }
        _held ??= ArrayPool<byte>.Shared.Rent(MaxHeldBytes);
        if (_heldLength + buffer.Length + (ping ? PingFrame.Length : 0) > _held.Length)
        {
            return WriteOverflowAsync(buffer, ping, cancellationToken);
        }
        buffer.Span.CopyTo(_held.AsSpan(_heldLength));
        _heldLength += buffer.Length;
        if (ping)
        {
            PingFrame.CopyTo(_held.AsSpan(_heldLength));
            _heldLength += PingFrame.Length;
        }
        // A close frame always goes out at once: the socket may send nothing after it (the library sends one by
        // itself on a protocol error, from the reader), so nothing would ever write it out otherwise.
        return _flushOnNextWrite || IsCloseFrame(buffer.Span) ? WriteHeldAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    /// <summary>
    /// A server close frame with code 1002 or 1007 and no reason (as the WebSocket layer writes them when it fails the
    /// connection on bad input; Hubbub's own closes always carry one) is given its documented reason.
    /// </summary>
    private byte[]? WithReason(ReadOnlySpan<byte> frame)
    {
        if (frame.Length != 4 || frame[0] != 0x88 || frame[1] != 2)
        {
            return null;
        }
        var code = (frame[2] << 8) | frame[3];
        var withReason = code switch
        {
            CloseCodes.ProtocolError => ProtocolErrorClose,
            CloseCodes.InvalidPayload => InvalidPayloadClose,
            _ => null,
        };
        if (withReason is not null)
        {
            LayerCloseCode = code;
        }
        return withReason;
    }

    private static readonly byte[] ProtocolErrorClose = CloseFrame(CloseCodes.ProtocolError, CloseCodes.ProtocolErrorReason);
    private static readonly byte[] InvalidPayloadClose = CloseFrame(CloseCodes.InvalidPayload, CloseCodes.InvalidPayloadReason);

    /// <summary>An unmasked server close frame: FIN and opcode 8, the length, the code, the reason.</summary>
    private static byte[] CloseFrame(int code, string reason)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(reason);
        return [0x88, (byte)(2 + text.Length), (byte)(code >> 8), (byte)code, .. text];
    }

    /// <summary>Every write of a WebSocket is one whole frame; its first byte holds the opcode (0x8 = close).</summary>
    private static bool IsCloseFrame(ReadOnlySpan<byte> frame) => frame.Length > 0 && (frame[0] & 0x0F) == 0x8;

    /// <summary>The held bytes and <paramref name="buffer"/> do not fit together: write the held ones, then this one.</summary>
    private async ValueTask WriteOverflowAsync(ReadOnlyMemory<byte> buffer, bool ping, CancellationToken cancellationToken)
    {
        await WriteHeldAsync(cancellationToken, endHolding: false);
        await inner.WriteAsync(buffer, cancellationToken);
        if (ping)
        {
            await inner.WriteAsync(PingFrame, cancellationToken);
        }
        if (_flushOnNextWrite || IsCloseFrame(buffer.Span))
        {
            EndHolding();
        }
    }

    private async ValueTask WriteHeldAsync(CancellationToken cancellationToken, bool endHolding = true)
    {
        try
        {
            if (_heldLength > 0)
            {
                await inner.WriteAsync(_held.AsMemory(0, _heldLength), cancellationToken);
            }
        }
        finally
        {
            _heldLength = 0;
            if (endHolding)
            {
                EndHolding();
            }
        }
    }

    private void EndHolding()
    {
        _holding = false;
        _flushOnNextWrite = false;
        if (_held is { } held)
        {
            _held = null;
            ArrayPool<byte>.Shared.Return(held);
        }
    }

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (KeepsAlive)
        {
            // One reader at a time (the WebSocket's), so no interlocked increment is needed.
            Volatile.Write(ref _reads, _reads + 1);
            Volatile.Write(ref _lastReadTicks, Environment.TickCount64);
        }
        return inner.ReadAsync(buffer, cancellationToken);
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>
    /// The WebSocket flushes after every frame; while writes are held there is nothing to flush yet, and passing
    /// the flush on would cost the transport a flush per frame after all.
    /// </summary>
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _holding ? Task.CompletedTask : inner.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public override void Flush() => inner.Flush();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    /// <inheritdoc />
    public override bool CanRead => inner.CanRead;

    /// <inheritdoc />
    public override bool CanWrite => inner.CanWrite;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>What <see cref="CoalescingStream.CheckKeepAlive"/> found.</summary>
internal enum KeepAliveState
{
    /// <summary>The peer was heard from within the quiet time.</summary>
    Alive,

    /// <summary>Quiet for the quiet time: a PING goes with the connection's next write.</summary>
    PingAsked,

    /// <summary>A PING is asked for or out, not yet answered, within its time.</summary>
    Waiting,

    /// <summary>The PING had no answer in time: the peer is to be dropped.</summary>
    Dead,
}
