using System.Buffers;
using System.IO.Pipelines;

namespace Hubbub.Server.Realtime;

/// <summary>
/// A connection's transport pipes as the one duplex stream a WebSocket runs on (what Kestrel's HTTP layer hands
/// an upgraded request, without that layer). Only the asynchronous members a WebSocket uses are implemented.
/// </summary>
/// <remarks>
/// Disposing (the WebSocket disposes its stream when it closes or is aborted) cancels a pending read and a
/// pending flush, so an aborted socket's reader and a writer stuck on a client that stopped reading both end at
/// once. The pipes themselves are completed by the connection's owner after the socket is done with them.
/// </remarks>
internal sealed class TransportPipeStream(IDuplexPipe transport) : Stream
{
    private volatile bool _disposed;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var result = await transport.Input.ReadAsync(cancellationToken);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("The connection's stream was closed.");
        }
        var data = result.Buffer;
        if (buffer.IsEmpty)
        {
            // A zero-byte read waits for data without taking any: leave it all unexamined for the next read.
            transport.Input.AdvanceTo(data.Start);
            return 0;
        }
        var count = (int)Math.Min(data.Length, buffer.Length);
        data.Slice(0, count).CopyTo(buffer.Span);
        transport.Input.AdvanceTo(data.GetPosition(count));
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var result = await transport.Output.WriteAsync(buffer, cancellationToken);
        ThrowIfEnded(result);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        var result = await transport.Output.FlushAsync(cancellationToken);
        ThrowIfEnded(result);
    }

    private static void ThrowIfEnded(FlushResult result)
    {
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("The connection's stream was closed.");
        }
        if (result.IsCompleted)
        {
            throw new IOException("The client closed the connection.");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            transport.Input.CancelPendingRead();
            transport.Output.CancelPendingFlush();
        }
        base.Dispose(disposing);
    }

    public override void Flush() => throw new NotSupportedException("Asynchronous only.");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Asynchronous only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Asynchronous only.");

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
