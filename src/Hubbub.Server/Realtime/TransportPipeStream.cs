using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using Hubbub.Core.Connections;
using Microsoft.AspNetCore.Connections;

namespace Hubbub.Server.Realtime;

/// <summary>
/// A connection's transport pipes as the one duplex stream a WebSocket runs on (what Kestrel's HTTP layer hands
/// an upgraded request, without that layer). Only the asynchronous members a WebSocket uses are implemented.
/// </summary>
/// <remarks>
/// Disposing (the WebSocket disposes its stream when it closes or is aborted) cancels a pending read and a
/// pending flush, so an aborted socket's reader and a writer stuck on a client that stopped reading both end at
/// once. The connection itself is ended by <see cref="EndAsync"/> once the socket is done with it.
/// </remarks>
internal sealed class TransportPipeStream(ConnectionContext connection, TimeSpan closeGrace) : Stream, ITransportEnd, IValueTaskSource<int>
{
    private readonly IDuplexPipe _transport = connection.Transport;
    private volatile bool _disposed;
    private bool _ended;
    private WebSocket? _socket;

    // The one pending read (ReadAsync): the transport's read it waits on, the caller's buffer, and its completion.
    private ManualResetValueTaskSourceCore<int> _read;
    private ValueTaskAwaiter<ReadResult> _pendingRead;
    private Memory<byte> _pendingBuffer;
    private Action? _onReadCompleted;

    /// <summary>
    /// The WebSocket made on this stream, disposed once the connection is ended (<see cref="EndAsync"/>): the door
    /// returns the engine's task itself rather than awaiting it to dispose the socket after it, which kept an async
    /// state machine (184 bytes) alive for every connection's lifetime.
    /// </summary>
    public void DisposeWhenEnded(WebSocket socket) => _socket = socket;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    /// <summary>
    /// Reads what the transport has, at most <paramref name="buffer"/>'s length. A read that has to wait completes
    /// through this stream itself (<see cref="IValueTaskSource{TResult}"/>) rather than an async method's state
    /// machine: an idle connection's read waits for good, so that state machine (about 250 bytes) lived as long as
    /// the connection and was replaced by a new one at every frame read, each keep-alive PONG included; the old one,
    /// promoted to gen2 while it waited, stayed there as garbage until a full collection.
    /// </summary>
    /// <remarks>The WebSocket reads one at a time, as a stream's reader must; so one pending read's state suffices.</remarks>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
#pragma warning disable CA2012 // The transport's read is consumed exactly once: here when it completed at once, else in OnReadCompleted.
        var read = _transport.Input.ReadAsync(cancellationToken).GetAwaiter();
#pragma warning restore CA2012
        if (read.IsCompleted)
        {
            try
            {
                return new ValueTask<int>(Take(read.GetResult(), buffer));
            }
            catch (Exception e)
            {
                return ValueTask.FromException<int>(e);
            }
        }
        _pendingRead = read;
        _pendingBuffer = buffer;
        _read.Reset();
        _pendingRead.UnsafeOnCompleted(_onReadCompleted ??= OnReadCompleted);
        return new ValueTask<int>(this, _read.Version);
    }

    private void OnReadCompleted()
    {
        var read = _pendingRead;
        var buffer = _pendingBuffer;
        _pendingRead = default;
        _pendingBuffer = default;
        int count;
        try
        {
            count = Take(read.GetResult(), buffer);
        }
        catch (Exception e)
        {
            _read.SetException(e);
            return;
        }
        _read.SetResult(count);
    }

    /// <summary>Copies what <paramref name="result"/> holds into <paramref name="buffer"/> and consumes what it copied.</summary>
    private int Take(ReadResult result, Memory<byte> buffer)
    {
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("The connection's stream was closed.");
        }
        var data = result.Buffer;
        if (buffer.IsEmpty)
        {
            // A zero-byte read waits for data without taking any: leave it all unexamined for the next read.
            _transport.Input.AdvanceTo(data.Start);
            return 0;
        }
        var count = (int)Math.Min(data.Length, buffer.Length);
        data.Slice(0, count).CopyTo(buffer.Span);
        _transport.Input.AdvanceTo(data.GetPosition(count));
        return count;
    }

    int IValueTaskSource<int>.GetResult(short token) => _read.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _read.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _read.OnCompleted(continuation, state, token, flags);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var result = await _transport.Output.WriteAsync(buffer, cancellationToken);
        ThrowIfEnded(result);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        var result = await _transport.Output.FlushAsync(cancellationToken);
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

    /// <summary>
    /// Ends the connection. Completing the output hands what is still buffered to the transport, which sends it and
    /// then closes the socket; to a client that does not read it would be sending for good, the socket held open with
    /// everything unsent. So the connection is aborted at once when the close handshake did not complete, and
    /// otherwise when it has not closed within <c>closeGrace</c>.
    /// </summary>
    public async ValueTask EndAsync(bool closeHandshakeCompleted)
    {
        if (_ended)
        {
            return;
        }
        _ended = true;
        try
        {
            if (!closeHandshakeCompleted)
            {
                connection.Abort(new ConnectionAbortedException("The WebSocket did not complete its close handshake."));
            }
            await _transport.Output.CompleteAsync();
            await _transport.Input.CompleteAsync();
            if (closeHandshakeCompleted)
            {
                try
                {
                    await Task.Delay(closeGrace, connection.ConnectionClosed);
                    connection.Abort(new ConnectionAbortedException("The client did not take the rest of the connection's output in time."));
                }
                catch (OperationCanceledException)
                {
                    // Closed in time: everything was sent.
                }
            }
        }
        finally
        {
            _socket?.Dispose();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _transport.Input.CancelPendingRead();
            _transport.Output.CancelPendingFlush();
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
