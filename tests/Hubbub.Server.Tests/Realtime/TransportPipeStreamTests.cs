using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using CsCheck;
using Hubbub.Server.Realtime;
using Microsoft.AspNetCore.Connections;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>
/// The connection's pipes as the WebSocket's stream: a read that has to wait completes through the stream itself,
/// one pending read at a time, so each of a connection's reads must see exactly the bytes that came, in order, and a
/// closed stream must end a waiting read. Real pipes, as Kestrel's transport hands them over.
/// </summary>
public sealed class TransportPipeStreamTests
{
    private static (TransportPipeStream Stream, IDuplexPipe Client) Open()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var connection = new DefaultConnectionContext("test", new DuplexPipe(toServer.Reader, toClient.Writer), new DuplexPipe(toClient.Reader, toServer.Writer));
        return (new TransportPipeStream(connection, TimeSpan.FromSeconds(1)), connection.Application!);
    }

    [Fact]
    public async Task Reads_that_wait_one_after_another_each_get_the_bytes_that_came_in_order()
    {
        var (stream, client) = Open();
        var buffer = new byte[16];
        for (var i = 0; i < 50; i++)
        {
            var read = stream.ReadAsync(buffer);
            Assert.False(read.IsCompleted); // nothing written yet: this read waits
            var sent = Encoding.ASCII.GetBytes($"frame {i}");
            await client.Output.WriteAsync(sent);
            var count = await read;
            Assert.Equal(sent, buffer[..count]);
        }
    }

    [Fact]
    public async Task Random_writes_and_reads_give_back_every_byte_in_order()
    {
        var cases = Gen.Select(Gen.Int[1, 300].Array[1, 30], Gen.Int[1, 64].Array[1, 10]);
        await cases.SampleAsync(async c =>
        {
            var (chunks, readSizes) = c;
            var (stream, client) = Open();
            var sent = new List<byte>();
            var writer = Task.Run(async () =>
            {
                var value = 0;
                foreach (var size in chunks)
                {
                    var chunk = new byte[size];
                    for (var j = 0; j < size; j++)
                    {
                        chunk[j] = (byte)value++;
                    }
                    sent.AddRange(chunk);
                    await client.Output.WriteAsync(chunk);
                    await Task.Yield();
                }
            });
            var received = new List<byte>();
            var total = chunks.Sum();
            for (var r = 0; received.Count < total; r++)
            {
                var buffer = new byte[readSizes[r % readSizes.Length]];
                var count = await stream.ReadAsync(buffer);
                Assert.InRange(count, 1, buffer.Length);
                received.AddRange(buffer[..count]);
            }
            await writer;
            Assert.Equal(sent, received);
        }, iter: 40, seed: "7uLes2iOwx5c");
    }

    [Fact]
    public async Task A_zero_byte_read_waits_for_data_and_leaves_it_for_the_next_read()
    {
        var (stream, client) = Open();
        var wait = stream.ReadAsync(Memory<byte>.Empty);
        Assert.False(wait.IsCompleted);
        await client.Output.WriteAsync("hello"u8.ToArray());
        Assert.Equal(0, await wait);
        var buffer = new byte[8];
        var read = stream.ReadAsync(buffer);
        Assert.True(read.IsCompleted); // the data is there already
        Assert.Equal("hello", Encoding.ASCII.GetString(buffer, 0, await read));
    }

    [Fact]
    public async Task Disposing_the_stream_ends_a_waiting_read()
    {
        var (stream, _) = Open();
        var read = stream.ReadAsync(new byte[8]).AsTask();
        Assert.False(read.IsCompleted);
        stream.Dispose();
        await Assert.ThrowsAsync<OperationCanceledException>(() => read);
    }

    [Fact]
    public async Task A_server_socket_on_the_stream_receives_each_message_across_many_waiting_reads()
    {
        var (stream, client) = Open();
        using var server = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true });
        using var peer = WebSocket.CreateFromStream(new DuplexStream(client), new WebSocketCreationOptions { IsServer = false });
        var buffer = new byte[64];
        for (var i = 0; i < 20; i++)
        {
            var receive = server.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).AsTask();
            await peer.SendAsync(Encoding.UTF8.GetBytes($"message {i}"), WebSocketMessageType.Text, true, CancellationToken.None);
            var result = await receive;
            Assert.Equal($"message {i}", Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>The client's ends of the pipes as a stream, for a client WebSocket.</summary>
    private sealed class DuplexStream(IDuplexPipe pipe) : Stream
    {
        private readonly Stream _input = pipe.Input.AsStream();
        private readonly Stream _output = pipe.Output.AsStream();

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _input.ReadAsync(buffer, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            _output.WriteAsync(buffer, cancellationToken);

        public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

        public override void Flush() => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
