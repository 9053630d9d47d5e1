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

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (WithReason(buffer.Span) is { } withReason)
        {
            buffer = withReason;
        }
        if (!_holding)
        {
            return inner.WriteAsync(buffer, cancellationToken);
        }
        _held ??= ArrayPool<byte>.Shared.Rent(MaxHeldBytes);
        if (_heldLength + buffer.Length > _held.Length)
        {
            return WriteOverflowAsync(buffer, cancellationToken);
        }
        buffer.Span.CopyTo(_held.AsSpan(_heldLength));
        _heldLength += buffer.Length;
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
    private async ValueTask WriteOverflowAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        await WriteHeldAsync(cancellationToken, endHolding: false);
        await inner.WriteAsync(buffer, cancellationToken);
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
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

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
