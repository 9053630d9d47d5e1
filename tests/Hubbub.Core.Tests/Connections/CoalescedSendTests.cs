using System.Net.WebSockets;
using System.Text;
using Hubbub.Core.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hubbub.Core.Tests.Connections;

/// <summary>
/// Several queued frames reach the transport in one write; a lone frame, reads and writes outside a batch pass
/// straight through; order is kept throughout. The transport is a recording stream under a real WebSocket.
/// </summary>
public sealed class CoalescedSendTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Frames_queued_while_a_send_is_in_flight_leave_in_one_transport_write_in_order()
    {
        var recorder = new RecordingStream { HoldFirstWrite = true };
        var connection = NewConnection(recorder, out _);

        Assert.True(connection.TryEnqueue(Text("first")));
        await recorder.FirstWriteStarted.Task.WaitAsync(Deadline);
        for (var i = 0; i < 9; i++)
        {
            Assert.True(connection.TryEnqueue(Text($"frame {i}")));
        }
        recorder.ReleaseFirstWrite();
        await recorder.WaitForWritesAsync(2, Deadline);

        var writes = recorder.Writes;
        Assert.Equal(2, writes.Count);
        Assert.Equal(["first"], ParseFrames(writes[0]));
        Assert.Equal(Enumerable.Range(0, 9).Select(i => $"frame {i}"), ParseFrames(writes[1]));
    }

    [Fact]
    public async Task A_lone_frame_is_written_on_its_own()
    {
        var recorder = new RecordingStream();
        var connection = NewConnection(recorder, out _);

        Assert.True(connection.TryEnqueue(Text("alone")));
        await recorder.WaitForWritesAsync(1, Deadline);
        Assert.True(connection.TryEnqueue(Text("later")));
        await recorder.WaitForWritesAsync(2, Deadline);

        Assert.Equal(["alone"], ParseFrames(recorder.Writes[0]));
        Assert.Equal(["later"], ParseFrames(recorder.Writes[1]));
    }

    [Fact]
    public async Task The_close_frame_follows_the_queued_frames_and_the_connection_ends()
    {
        var recorder = new RecordingStream { HoldFirstWrite = true };
        var connection = NewConnection(recorder, out var socket);
        var run = connection.RunAsync(static (_, _) => ValueTask.CompletedTask, CancellationToken.None);

        Assert.True(connection.TryEnqueue(Text("a")));
        await recorder.FirstWriteStarted.Task.WaitAsync(Deadline);
        Assert.True(connection.TryEnqueue(Text("b")));
        Assert.True(connection.TryEnqueue(Text("c")));
        connection.Close(4000, "bye");
        Assert.False(connection.TryEnqueue(Text("refused after close")));
        recorder.ReleaseFirstWrite();
        await recorder.WaitForWritesAsync(3, Deadline);

        Assert.Equal(["a"], ParseFrames(recorder.Writes[0]));
        Assert.Equal(["b", "c"], ParseFrames(recorder.Writes[1]));
        Assert.Equal(0x88, recorder.Writes[2][0]); // FIN + close opcode
        Assert.Equal(WebSocketState.CloseSent, socket.State);
        recorder.EndReads();
        await run.WaitAsync(Deadline);
        Assert.Equal(4000, connection.CloseCode);
    }

    [Fact]
    public async Task Held_writes_are_written_once_and_writes_after_the_batch_pass_through()
    {
        var recorder = new RecordingStream();
        var stream = new CoalescingStream(recorder);

        stream.HoldWrites();
        await stream.WriteAsync("one "u8.ToArray());
        await stream.WriteAsync("two "u8.ToArray());
        Assert.Empty(recorder.Writes);
        stream.FlushOnNextWrite();
        await stream.WriteAsync("three"u8.ToArray());
        await stream.WriteAsync("after"u8.ToArray());

        Assert.Equal(["one two three", "after"], recorder.Writes.Select(w => Encoding.UTF8.GetString(w)));
    }

    [Fact]
    public async Task Flushes_wait_while_writes_are_held_and_pass_through_after()
    {
        var recorder = new RecordingStream();
        var stream = new CoalescingStream(recorder);

        stream.HoldWrites();
        await stream.WriteAsync("a"u8.ToArray());
        await stream.FlushAsync();
        stream.FlushOnNextWrite();
        await stream.WriteAsync("b"u8.ToArray());
        Assert.Equal(0, recorder.Flushes);
        await stream.FlushAsync();

        Assert.Equal(1, recorder.Flushes);
        Assert.Equal(["ab"], recorder.Writes.Select(w => Encoding.UTF8.GetString(w)));
    }

    [Fact]
    public async Task A_close_frame_written_while_holding_goes_out_at_once_with_what_was_held()
    {
        var recorder = new RecordingStream();
        var stream = new CoalescingStream(recorder);
        byte[] data = [0x81, 0x01, (byte)'x'];
        byte[] close = [0x88, 0x02, 0x03, 0xEA];

        stream.HoldWrites();
        await stream.WriteAsync(data);
        await stream.WriteAsync(close); // e.g. the library's own 1002 close, sent from the reader mid-batch
        await stream.WriteAsync(data);

        // The library's bare close goes out with its documented reason (issue 22: the client learns what it did wrong).
        var reason = Encoding.UTF8.GetBytes(Hubbub.Protocol.CloseCodes.ProtocolErrorReason);
        byte[] withReason = [0x88, (byte)(2 + reason.Length), 0x03, 0xEA, .. reason];
        Assert.Equal(2, recorder.Writes.Count);
        Assert.Equal(data.Concat(withReason), recorder.Writes[0]);
        Assert.Equal(data, recorder.Writes[1]);
        Assert.Equal(1002, stream.LayerCloseCode);
    }

    [Fact]
    public async Task Only_the_layers_bare_1002_and_1007_closes_get_a_reason()
    {
        var recorder = new RecordingStream();
        var stream = new CoalescingStream(recorder);
        byte[] normal = [0x88, 0x02, 0x03, 0xE8]; // 1000, bare
        byte[] ownWithReason = [0x88, 0x04, 0x03, 0xEA, (byte)'n', (byte)'o'];

        await stream.WriteAsync(normal);
        await stream.WriteAsync(ownWithReason);
        Assert.Equal(0, stream.LayerCloseCode);
        byte[] invalidUtf8 = [0x88, 0x02, 0x03, 0xEF]; // 1007, bare
        await stream.WriteAsync(invalidUtf8);

        var reason = Encoding.UTF8.GetBytes(Hubbub.Protocol.CloseCodes.InvalidPayloadReason);
        byte[] expected = [0x88, (byte)(2 + reason.Length), 0x03, 0xEF, .. reason];
        Assert.Equal(normal, recorder.Writes[0]);
        Assert.Equal(ownWithReason, recorder.Writes[1]);
        Assert.Equal(expected, recorder.Writes[2]);
        Assert.Equal(1007, stream.LayerCloseCode);
    }

    [Fact]
    public async Task A_slow_consumer_close_mid_batch_sends_the_close_frame_next_not_the_rest_of_the_batch()
    {
        var recorder = new RecordingStream { HoldFirstWrite = true };
        var connection = NewConnection(recorder, out _, new HubbubOptions { SendQueueCapacity = 4 });

        Assert.True(connection.TryEnqueue(Text("first")));
        await recorder.FirstWriteStarted.Task.WaitAsync(Deadline);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(connection.TryEnqueue(Text($"queued {i}")));
        }
        Assert.False(connection.TryEnqueue(Text("one too many")));
        Assert.False(connection.TryEnqueue(Text("and another")));
        recorder.ReleaseFirstWrite();
        await recorder.WaitForWritesAsync(2, Deadline);

        Assert.Equal(["first"], ParseFrames(recorder.Writes[0]));
        Assert.Equal(0x88, recorder.Writes[1][0]); // the close frame, none of the queued frames
        Assert.Equal(4000, (recorder.Writes[1][2] << 8) | recorder.Writes[1][3]);
        Assert.Equal(4000, connection.CloseCode);
        Assert.Equal(2, recorder.Writes.Count);
    }

    [Fact]
    public async Task A_queue_over_its_byte_bound_is_closed_as_a_slow_consumer_and_its_frames_dropped_at_once()
    {
        var recorder = new RecordingStream { HoldFirstWrite = true };
        var connection = NewConnection(recorder, out _, new HubbubOptions { SendQueueMaxBytes = 1_000 });

        Assert.True(connection.TryEnqueue(Text("first")));
        await recorder.FirstWriteStarted.Task.WaitAsync(Deadline);
        var kilobyteThird = Text(new string('x', 300));
        for (var i = 0; i < 3; i++)
        {
            Assert.True(connection.TryEnqueue(kilobyteThird)); // 5 in flight + 900 queued: within 1,000 bytes
        }
        Assert.Equal(905, connection.QueuedBytes);
        Assert.False(connection.TryEnqueue(kilobyteThird)); // 1,205: over
        Assert.Equal(4000, connection.CloseCode);
        Assert.Equal(5, connection.QueuedBytes); // the queued frames are gone at the close; only the stuck write holds on

        recorder.ReleaseFirstWrite();
        await recorder.WaitForWritesAsync(2, Deadline);
        Assert.Equal(["first"], ParseFrames(recorder.Writes[0]));
        Assert.Equal(0x88, recorder.Writes[1][0]); // then the close frame, none of the queued frames
        Assert.Equal(2, recorder.Writes.Count);
    }

    [Fact]
    public async Task An_empty_queue_takes_one_frame_larger_than_the_byte_bound_and_the_bytes_are_given_back_once_written()
    {
        var recorder = new RecordingStream();
        var connection = NewConnection(recorder, out _, new HubbubOptions { SendQueueMaxBytes = 100 });

        Assert.True(connection.TryEnqueue(Text(new string('x', 500))));
        await recorder.WaitForWritesAsync(1, Deadline);
        var until = DateTime.UtcNow + Deadline;
        while (connection.QueuedBytes != 0)
        {
            Assert.True(DateTime.UtcNow < until, "the written frame's bytes were never given back");
            await Task.Delay(5);
        }
        Assert.True(connection.TryEnqueue(Text("next")));
        await recorder.WaitForWritesAsync(2, Deadline);
        Assert.Equal(0, connection.CloseCode);
        Assert.Equal(["next"], ParseFrames(recorder.Writes[1]));
    }

    [Fact]
    public async Task A_batch_larger_than_the_held_buffer_is_written_in_order_in_several_writes()
    {
        var recorder = new RecordingStream();
        var stream = new CoalescingStream(recorder);
        var big = Enumerable.Range(0, 3).Select(i => Enumerable.Repeat((byte)('a' + i), 10_000).ToArray()).ToArray();

        stream.HoldWrites();
        await stream.WriteAsync(big[0]);
        await stream.WriteAsync(big[1]); // does not fit beside the first: the first is written, then this one
        stream.FlushOnNextWrite();
        await stream.WriteAsync(big[2]);
        await stream.WriteAsync("after"u8.ToArray());

        Assert.Equal(big.SelectMany(b => b).Concat("after"u8.ToArray()), recorder.Writes.SelectMany(w => w));
        Assert.All(recorder.Writes, w => Assert.True(w.Length <= CoalescingStream.MaxHeldBytes));
        Assert.Equal("after", Encoding.UTF8.GetString(recorder.Writes[^1]));
    }

    [Fact]
    public async Task Reads_pass_through_unchanged()
    {
        var recorder = new RecordingStream();
        recorder.Feed("hello"u8.ToArray());
        var stream = new CoalescingStream(recorder);
        stream.HoldWrites();

        var buffer = new byte[16];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Deadline);

        Assert.Equal("hello", Encoding.UTF8.GetString(buffer, 0, read));
    }

    private static ClientConnection NewConnection(RecordingStream recorder, out WebSocket socket, HubbubOptions? options = null)
    {
        var transport = new CoalescingStream(recorder);
        socket = WebSocket.CreateFromStream(transport, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        return new ClientConnection("c1", new HubbubUser("1", "One", []), socket, transport, options ?? new HubbubOptions(), TimeProvider.System, NullLogger.Instance);
    }

    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Splits unmasked server frames (payloads under 126 bytes) back into their text payloads.</summary>
    private static List<string> ParseFrames(byte[] bytes)
    {
        var frames = new List<string>();
        var at = 0;
        while (at < bytes.Length)
        {
            Assert.Equal(0x81, bytes[at]); // FIN + text
            var length = bytes[at + 1];
            Assert.True(length < 126);
            frames.Add(Encoding.UTF8.GetString(bytes, at + 2, length));
            at += 2 + length;
        }
        return frames;
    }

    /// <summary>A transport that records every write; the first may be held until released, reads wait for fed bytes.</summary>
    private sealed class RecordingStream : AsyncOnlyStream
    {
        private readonly Lock _gate = new();
        private readonly List<byte[]> _writes = [];
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Threading.Channels.Channel<byte[]> _reads = System.Threading.Channels.Channel.CreateUnbounded<byte[]>();
        private int _writeCount;
        private int _flushes;

        public int Flushes => Volatile.Read(ref _flushes);

        public bool HoldFirstWrite { get; init; }

        public TaskCompletionSource FirstWriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<byte[]> Writes
        {
            get
            {
                lock (_gate)
                {
                    return [.. _writes];
                }
            }
        }

        public void ReleaseFirstWrite() => _release.TrySetResult();

        public void Feed(byte[] bytes) => _reads.Writer.TryWrite(bytes);

        public void EndReads() => _reads.Writer.TryComplete();

        public async Task WaitForWritesAsync(int count, TimeSpan deadline)
        {
            var until = DateTime.UtcNow + deadline;
            while (Writes.Count < count)
            {
                Assert.True(DateTime.UtcNow < until, $"expected {count} writes, saw {Writes.Count}");
                await Task.Delay(10);
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var copy = buffer.ToArray();
            if (Interlocked.Increment(ref _writeCount) == 1 && HoldFirstWrite)
            {
                FirstWriteStarted.TrySetResult();
                await _release.Task;
            }
            lock (_gate)
            {
                _writes.Add(copy);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!await _reads.Reader.WaitToReadAsync(cancellationToken) || !_reads.Reader.TryRead(out var bytes))
            {
                return 0;
            }
            bytes.CopyTo(buffer);
            return bytes.Length;
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _flushes);
            return Task.CompletedTask;
        }
    }
}
