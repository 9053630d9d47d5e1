using System.Net.WebSockets;
using System.Threading.Channels;

namespace KestrelBroadcast;

/// <summary>The set of subscribers (a copy-on-write array) and the broadcast to them.</summary>
public sealed class Broadcaster(int capacity)
{
    private readonly Lock _gate = new();
    private Subscriber[] _subscribers = [];

    /// <summary>Serves one subscriber: echoes what it sends, and drains its queue until either side ends.</summary>
    public async Task RunSubscriberAsync(WebSocket socket)
    {
        var subscriber = new Subscriber(socket, capacity);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscriber];
        }
        var writer = subscriber.WriteLoopAsync();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close || !result.EndOfMessage)
                {
                    break;
                }
                subscriber.TryQueue(buffer.AsSpan(0, result.Count).ToArray());
            }
        }
        catch (WebSocketException)
        {
            // The peer went away.
        }
        finally
        {
            lock (_gate)
            {
                _subscribers = Array.FindAll(_subscribers, s => !ReferenceEquals(s, subscriber));
            }
            subscriber.Complete();
        }
        try
        {
            await writer;
        }
        catch (WebSocketException)
        {
            // The peer went away while we wrote.
        }
    }

    /// <summary>Reads frames from a publisher and broadcasts each (copied once) to every subscriber.</summary>
    public static async Task RunPublisherAsync(WebSocket socket, Broadcaster hub)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close || !result.EndOfMessage)
                {
                    break;
                }
                var frame = buffer.AsSpan(0, result.Count).ToArray();
                foreach (var subscriber in Volatile.Read(ref hub._subscribers))
                {
                    subscriber.TryQueue(frame);
                }
            }
        }
        catch (WebSocketException)
        {
            // The publisher went away.
        }
    }

    private sealed class Subscriber(WebSocket socket, int capacity)
    {
        private readonly Channel<byte[]> _queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });

        public void TryQueue(byte[] frame)
        {
            if (!_queue.Writer.TryWrite(frame))
            {
                // Slow consumer: cut it off rather than buffer without end or hold the publisher.
                _queue.Writer.TryComplete();
                socket.Abort();
            }
        }

        public void Complete() => _queue.Writer.TryComplete();

        public async Task WriteLoopAsync()
        {
            var reader = _queue.Reader;
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var frame))
                {
                    await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                }
            }
        }
    }
}
