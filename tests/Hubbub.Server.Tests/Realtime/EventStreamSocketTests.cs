using System.Net.WebSockets;
using Hubbub.Server.Realtime.Fallback;
using Microsoft.AspNetCore.Http;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>The fallback's WebSocket made of HTTP, as the engine reads it: whole frames in order, a bounded queue, the peer's close.</summary>
public sealed class EventStreamSocketTests
{
    [Fact]
    public async Task Posted_frames_are_read_whole_in_order_and_a_post_beyond_the_queue_bound_is_refused_whole()
    {
        using var socket = new EventStreamSocket("session", "user", new DefaultHttpContext(), maxQueuedBytes: 10);
        Assert.Equal(AdmitOutcome.Admitted, socket.TryAdmit([Bytes("{\"a\":1}"), Bytes("{\"b\":22}")], 17)); // an empty queue takes any body
        Assert.Equal(AdmitOutcome.Full, socket.TryAdmit([Bytes("{}")], 2)); // 15 queued + 2 > 10: nothing of it taken

        // The engine waits for a message with a zero-byte read: it consumes nothing and is not the message's end.
        var wait = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
        Assert.Equal((0, WebSocketMessageType.Text, false), (wait.Count, wait.MessageType, wait.EndOfMessage));
        Assert.Equal("{\"a\":1}", await ReadMessageAsync(socket, chunk: 3));
        Assert.Equal("{\"b\":22}", await ReadMessageAsync(socket, chunk: 64));

        Assert.Equal(AdmitOutcome.Admitted, socket.TryAdmit([Bytes("{}")], 2));
        Assert.Equal("{}", await ReadMessageAsync(socket, chunk: 64));

        // The client ending the stream is the peer's close: the reader sees Close, and posts find the session ended.
        var pending = socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
        socket.PeerGone();
        Assert.Equal(WebSocketMessageType.Close, (await pending).MessageType);
        Assert.Equal(WebSocketState.CloseReceived, socket.State);
        Assert.Equal(AdmitOutcome.Ended, socket.TryAdmit([Bytes("{}")], 2));
    }

    private static ReadOnlyMemory<byte> Bytes(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    private static async Task<string> ReadMessageAsync(EventStreamSocket socket, int chunk)
    {
        var received = new List<byte>();
        var buffer = new byte[chunk];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            received.AddRange(buffer.AsSpan(0, result.Count).ToArray());
            if (result.EndOfMessage)
            {
                return System.Text.Encoding.UTF8.GetString([.. received]);
            }
        }
    }
}
