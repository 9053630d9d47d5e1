namespace Hubbub.Core.Tests.Connections;

/// <summary>
/// What a test transport under a server WebSocket needs besides its own reads and writes: the array overloads sent to
/// the memory ones (the WebSocket uses those), and the synchronous and seeking members refused, as the server's
/// transport has none of them. A transport overrides <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>
/// and <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>, and <see cref="FlushAsync"/> where it counts flushes.
/// </summary>
internal abstract class AsyncOnlyStream : Stream
{
    public abstract override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
