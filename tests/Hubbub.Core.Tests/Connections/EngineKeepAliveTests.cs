using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Hubbub.Core.Connections;
using Hubbub.Core.Channels;
using Hubbub.Core.Memory;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hubbub.Core.Tests.Connections;

/// <summary>
/// The WebSocket keep-alive kept by the engine (<see cref="CoalescingStream.KeepsAlive"/>): a quiet peer's PING goes with
/// its next frame in the same transport write, never after a close frame; any input answers it; no answer in time, or a
/// PING that could not be written, drops the peer. A real server WebSocket on a recording transport.
/// </summary>
public sealed class EngineKeepAliveTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private const long Quiet = 1_000;
    private const long Timeout = 2_000;

    [Fact]
    public async Task A_quiet_peer_gets_its_ping_with_the_next_frame_in_one_write_and_a_pong_answers_it()
    {
        var transport = new Transport();
        var (connection, stream) = NewConnection(transport, keepsAlive: true);
        var run = connection.RunAsync(static (_, _) => ValueTask.CompletedTask, CancellationToken.None);
        var now = Environment.TickCount64;
        var quiet = now + Quiet + 100; // the reader's first read may come a little after `now`

        Assert.Equal(KeepAliveState.Alive, stream.CheckKeepAlive(now, Quiet, Timeout));
        Assert.False(connection.KeepAlive(quiet, Quiet, Timeout)); // asks for a PING
        Assert.Equal(KeepAliveState.Waiting, stream.CheckKeepAlive(quiet, Quiet, Timeout));
        var beforeWrite = Environment.TickCount64;
        Assert.True(connection.TryEnqueue(Encoding.UTF8.GetBytes("""{"type":"ping"}""")));
        await transport.WaitForWritesAsync(1);

        var write = transport.Writes[0];
        Assert.Equal((byte)0x81, write[0]); // the text frame first
        Assert.Equal([0x89, 0x00], write[^2..]); // then the PING, in the same write
        Assert.Equal(2 + 15 + 2, write.Length);
        var pingWritten = Environment.TickCount64;
        Assert.Equal(KeepAliveState.Waiting, stream.CheckKeepAlive(beforeWrite + Timeout - 1, Quiet, Timeout));

        transport.Feed([0x8A, 0x80, 1, 2, 3, 4]); // a masked, empty PONG
        await WaitUntilAsync(() => stream.CheckKeepAlive(Environment.TickCount64, Quiet, Timeout) == KeepAliveState.Alive);
        Assert.False(run.IsCompleted);

        // One PING per quiet spell: a later frame goes out alone until the peer is quiet again.
        Assert.True(connection.TryEnqueue(Encoding.UTF8.GetBytes("later")));
        await transport.WaitForWritesAsync(2);
        Assert.Equal(2 + 5, transport.Writes[1].Length);
        Assert.False(connection.KeepAlive(pingWritten + Timeout, Quiet, Timeout)); // answered: not dropped

        transport.EndReads();
        await run.WaitAsync(Deadline);
    }

    [Fact]
    public async Task A_ping_without_an_answer_drops_the_peer_after_the_timeout()
    {
        var transport = new Transport();
        var (connection, _) = NewConnection(transport, keepsAlive: true);
        var run = connection.RunAsync(static (_, _) => ValueTask.CompletedTask, CancellationToken.None);
        connection.KeepAlive(Environment.TickCount64 + Quiet + 100, Quiet, Timeout);
        // The PING goes out between these two readings of the clock (the wait for the write may take long on a busy machine).
        var beforeWrite = Environment.TickCount64;
        Assert.True(connection.TryEnqueue(Encoding.UTF8.GetBytes("x")));
        await transport.WaitForWritesAsync(1);
        var afterWrite = Environment.TickCount64;

        Assert.False(connection.KeepAlive(beforeWrite + Timeout - 1, Quiet, Timeout));
        Assert.True(connection.KeepAlive(afterWrite + Timeout, Quiet, Timeout));
        await run.WaitAsync(Deadline); // the socket was aborted: the reader ended
        Assert.Equal(WebSocketState.Aborted, connection.SocketState);
    }

    [Fact]
    public void A_ping_that_could_not_be_written_drops_the_peer_after_the_timeout_and_the_quiet_time()
    {
        var transport = new Transport();
        var (connection, stream) = NewConnection(transport, keepsAlive: true);
        var asked = Environment.TickCount64 + Quiet;
        Assert.Equal(KeepAliveState.PingAsked, stream.CheckKeepAlive(asked, Quiet, Timeout));
        Assert.Equal(KeepAliveState.Waiting, stream.CheckKeepAlive(asked + Timeout + Quiet - 1, Quiet, Timeout));
        Assert.Equal(KeepAliveState.Dead, stream.CheckKeepAlive(asked + Timeout + Quiet, Quiet, Timeout));
        Assert.True(connection.KeepAlive(asked + Timeout + Quiet, Quiet, Timeout));
        Assert.Empty(transport.Writes);
    }

    [Fact]
    public async Task No_ping_follows_a_close_frame_and_a_socket_with_its_own_keep_alive_is_left_alone()
    {
        var transport = new Transport();
        var (connection, stream) = NewConnection(transport, keepsAlive: true);
        var now = Environment.TickCount64;
        Assert.Equal(KeepAliveState.PingAsked, stream.CheckKeepAlive(now + Quiet, Quiet, Timeout));
        connection.Close(1000, "bye");
        await transport.WaitForWritesAsync(1);
        Assert.Equal((byte)0x88, transport.Writes[0][0]);
        await Task.Delay(100);
        Assert.All(transport.Writes, w => Assert.False(w.Length >= 2 && w[^2] == 0x89 && w[^1] == 0x00));

        var other = new Transport();
        var (plain, _) = NewConnection(other, keepsAlive: false);
        Assert.False(plain.KeepAlive(now + 10 * Timeout, Quiet, Timeout));
        Assert.True(plain.TryEnqueue(Encoding.UTF8.GetBytes("x")));
        await other.WaitForWritesAsync(1);
        Assert.Equal(3, other.Writes[0].Length); // the frame alone
    }

    [Fact]
    public async Task A_ping_due_with_a_frame_larger_than_the_held_buffer_follows_it_whole()
    {
        var transport = new Transport();
        var (connection, stream) = NewConnection(transport, keepsAlive: true);
        stream.CheckKeepAlive(Environment.TickCount64 + Quiet, Quiet, Timeout);
        var big = Encoding.UTF8.GetBytes(new string('a', CoalescingStream.MaxHeldBytes + 10));
        Assert.True(connection.TryEnqueue(big));
        await WaitUntilAsync(() => transport.Writes.Sum(w => w.Length) == big.Length + 4 + 2); // a 4-byte header, the payload, the PING
        var all = transport.Writes.SelectMany(w => w).ToArray();
        Assert.Equal([0x89, 0x00], all[^2..]);
        Assert.Equal(big, all[4..^2]);
    }

    [Fact]
    public async Task A_heartbeat_sweep_in_groups_pings_one_group_of_the_connections_between_two_pauses_and_each_once()
    {
        // Connections opened in one burst, as the idle bench opens them: all quiet at the same moment, yet a sweep in 8
        // groups sends its heartbeat and PING to 1/8 of them before each pause, so their PONGs do not all come back at once.
        const int count = 32;
        const int groups = 8;
        using var engine = NewEngine(new HubbubOptions { HeartbeatMs = 100 });
        var transports = new List<Transport>();
        var runs = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            var transport = new Transport();
            var stream = new CoalescingStream(transport) { KeepsAlive = true };
            var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
            transports.Add(transport);
            runs.Add(engine.RunConnectionAsync(socket, new HubbubUser($"u{i}", $"U{i}", []), CancellationToken.None, stream));
        }
        foreach (var transport in transports)
        {
            await transport.WaitForWritesAsync(1); // the welcome
        }
        await Task.Delay(300); // every connection quiet for more than 0.9 of the heartbeat, both ways

        int Pinged() => transports.Count(t => t.Writes.Any(IsPingAfterFrame));
        var atPauses = new List<int>();
        await engine.SendHeartbeatsInGroupsAsync(groups, async () =>
        {
            // The sweep waits here: what was pinged so far stays as it is.
            var expected = (atPauses.Count + 1) * count / groups;
            await WaitUntilAsync(() => Pinged() >= expected);
            atPauses.Add(Pinged());
        });
        Assert.Equal([4, 8, 12, 16, 20, 24, 28], atPauses);
        Assert.All(transports, t => Assert.Equal(1, t.Writes.Count(IsPingAfterFrame)));
        Assert.All(runs, run => Assert.False(run.IsCompleted)); // none dropped

        foreach (var transport in transports)
        {
            transport.EndReads();
        }
        await Task.WhenAll(runs).WaitAsync(Deadline);
    }

    [Fact]
    public async Task A_sweep_pauses_at_most_between_the_groups_it_counted_however_many_connections_open_meanwhile()
    {
        // A sweep that began with 8 connections (groups of 1) while 40 more open during its first pause: the groups past
        // the 8 it counted go on without a pause, so the walk never outlasts its spread (at 146 ms a pause, a burst of
        // 10,000 connections would otherwise hold the heartbeat and keep-alive of every connection for 24 minutes).
        using var engine = NewEngine(new HubbubOptions { HeartbeatMs = 100 });
        var runs = new List<Task>();
        var transports = new List<Transport>();
        void Open(int i)
        {
            var transport = new Transport();
            var stream = new CoalescingStream(transport) { KeepsAlive = true };
            var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
            transports.Add(transport);
            runs.Add(engine.RunConnectionAsync(socket, new HubbubUser($"b{i}", $"B{i}", []), CancellationToken.None, stream));
        }
        for (var i = 0; i < 8; i++)
        {
            Open(i);
        }
        var pauses = 0;
        await engine.SendHeartbeatsInGroupsAsync(8, () =>
        {
            if (pauses++ == 0)
            {
                for (var i = 8; i < 48; i++)
                {
                    Open(i);
                }
            }
            return ValueTask.CompletedTask;
        });
        Assert.Equal(7, pauses);

        foreach (var transport in transports)
        {
            transport.EndReads();
        }
        await Task.WhenAll(runs).WaitAsync(Deadline);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(9, 1)]
    [InlineData(75, 7)]
    [InlineData(640, 64)]
    [InlineData(9_375, 64)]
    public void A_sweep_is_spread_in_groups_at_least_10_ms_apart_and_at_most_64(int spreadMs, int groups) =>
        Assert.Equal(groups, ConnectionHost.HeartbeatGroups(TimeSpan.FromMilliseconds(spreadMs)));

    /// <summary>The engine on its in-memory broker, history and presence, as a single node runs it.</summary>
    private static HubbubEngine NewEngine(HubbubOptions options)
    {
        var subscribers = new SubscriberRegistry();
        var history = new MemoryHistoryStore(TimeProvider.System, options.MaxHistoryBytes);
        return new HubbubEngine(Microsoft.Extensions.Options.Options.Create(options), new ChannelRules(), subscribers, new ConnectionRegistry(),
            new MemoryBroker(history, subscribers), history, new MemoryPresenceStore(), new Commands.CommandRegistry(), new NoServices(),
            TimeProvider.System, NullLogger<HubbubEngine>.Instance);
    }

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }

    /// <summary>A heartbeat <c>ping</c> text frame with the empty PING control frame after it, in one write.</summary>
    private static bool IsPingAfterFrame(byte[] write) => write.Length > 2 && write[0] == 0x81 && write[^2] == 0x89 && write[^1] == 0x00;

    private static (ClientConnection Connection, CoalescingStream Stream) NewConnection(Transport transport, bool keepsAlive)
    {
        var stream = new CoalescingStream(transport) { KeepsAlive = keepsAlive };
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var connection = new ClientConnection("k1", new HubbubUser("1", "One", []), socket, stream, new HubbubOptions(), TimeProvider.System,
            NullLogger.Instance);
        return (connection, stream);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition never held");
            await Task.Delay(10);
        }
    }

    /// <summary>A transport that records every write; reads wait for fed bytes.</summary>
    private sealed class Transport : AsyncOnlyStream
    {
        private readonly Lock _gate = new();
        private readonly List<byte[]> _writes = [];
        private readonly Channel<byte[]> _reads = Channel.CreateUnbounded<byte[]>();

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

        public void Feed(byte[] bytes) => _reads.Writer.TryWrite(bytes);

        public void EndReads() => _reads.Writer.TryComplete();

        public async Task WaitForWritesAsync(int count)
        {
            var until = DateTime.UtcNow + Deadline;
            while (Writes.Count < count)
            {
                Assert.True(DateTime.UtcNow < until, $"expected {count} writes, saw {Writes.Count}");
                await Task.Delay(10);
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            lock (_gate)
            {
                _writes.Add(buffer.ToArray());
            }
            return ValueTask.CompletedTask;
        }

        // What a read took less of than came (the WebSocket reads headers in small pieces, and waits with zero-byte reads).
        private byte[] _left = [];

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left.Length == 0)
            {
                if (!await _reads.Reader.WaitToReadAsync(cancellationToken) || !_reads.Reader.TryRead(out var bytes))
                {
                    return 0;
                }
                _left = bytes;
            }
            var count = Math.Min(buffer.Length, _left.Length);
            _left.AsSpan(0, count).CopyTo(buffer.Span);
            _left = _left[count..];
            return count;
        }

        // As the server's transport does: disposing (the WebSocket aborted) ends a waiting read.
        protected override void Dispose(bool disposing)
        {
            EndReads();
            base.Dispose(disposing);
        }
    }
}
