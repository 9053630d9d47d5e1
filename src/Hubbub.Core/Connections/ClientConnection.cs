using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Threading.Channels;
using Hubbub.Core.Diagnostics;
using Hubbub.Protocol;
using Microsoft.Extensions.Logging;

namespace Hubbub.Core.Connections;

/// <summary>
/// One client's WebSocket: a single reader loop that hands frames to the dispatcher, a single writer loop that
/// drains a bounded send queue, and the connection's subscriptions. Anything may enqueue; nothing waits for
/// the socket. A full queue means the client cannot keep up: it is closed (4000) rather than buffered without end.
/// </summary>
public sealed class ClientConnection
{
    private readonly WebSocket _socket;
    private readonly Channel<OutFrame> _queue;
    private readonly HubbubOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private int _closeCode;
    private string _closeReason = string.Empty;
    private volatile bool _dropQueued;

    internal ClientConnection(string id, HubbubUser user, WebSocket socket, HubbubOptions options, TimeProvider time, ILogger logger)
    {
        Id = id;
        User = user;
        Info = new ClientInfo(user.Id, user.Name);
        _socket = socket;
        _options = options;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<OutFrame>(new BoundedChannelOptions(options.SendQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        LastSentTimestamp = time.GetTimestamp();
        RateLimit = new Limits.TokenBucket(time, options.MessagesPerSecond, options.Burst);
    }

    /// <summary>The connection's inbound rate limit.</summary>
    internal Limits.TokenBucket RateLimit { get; }

    /// <summary>Frames refused with <c>rate_limited</c> since the last one let through.</summary>
    internal int RejectedInARow { get; set; }

    /// <summary>The connection id announced in <c>welcome</c>.</summary>
    public string Id { get; }

    /// <summary>The signed-in user.</summary>
    public HubbubUser User { get; }

    /// <summary>The user as shown to others (<c>from</c>, typing, presence).</summary>
    public ClientInfo Info { get; }

    /// <summary>Subscriptions by channel.</summary>
    public ConcurrentDictionary<string, Subscription> Subscriptions { get; } = new(StringComparer.Ordinal);

    /// <summary>When the writer last wrote a frame (a <see cref="TimeProvider"/> timestamp); drives heartbeats.</summary>
    public long LastSentTimestamp { get; private set; }

    /// <summary>True once a close was asked for.</summary>
    public bool IsClosing => Volatile.Read(ref _closeCode) != 0;

    /// <summary>The close code sent, or 0 while open.</summary>
    public int CloseCode => Volatile.Read(ref _closeCode);

    /// <summary>
    /// Queues a frame without waiting. When the queue is full the connection is closed as a slow consumer
    /// and false is returned; the caller carries on with the next subscriber.
    /// </summary>
    public bool TryEnqueue(byte[] frame, long publishedTimestamp = 0)
    {
        if (_queue.Writer.TryWrite(new OutFrame(frame, publishedTimestamp)))
        {
            return true;
        }
        if (!IsClosing)
        {
            HubbubMetrics.SlowConsumers.Inc();
            Log.SlowConsumer(_logger, Id, User.Id, _options.SendQueueCapacity);
            Close(CloseCodes.SlowConsumer, "slow consumer", dropQueued: true);
        }
        return false;
    }

    /// <summary>
    /// Asks the writer to send a close frame with <paramref name="code"/> after the queued frames (or instead of
    /// them when <paramref name="dropQueued"/>). Only the first call counts. A socket that does not take the
    /// close frame within the grace period is aborted.
    /// </summary>
    public void Close(int code, string reason, bool dropQueued = false)
    {
        if (Interlocked.CompareExchange(ref _closeCode, code, 0) != 0)
        {
            return;
        }
        _closeReason = reason;
        _dropQueued = dropQueued;
        _queue.Writer.TryComplete();
        var grace = TimeSpan.FromMilliseconds(_options.SlowConsumerCloseGraceMs);
        // Real time, not _time: this guards a socket, not domain logic, and must fire under a test's fake clock too.
        _ = Task.Delay(grace).ContinueWith(static (_, s) =>
        {
            var socket = (WebSocket)s!;
            if (socket.State is not (WebSocketState.Closed or WebSocketState.Aborted))
            {
                socket.Abort();
            }
        }, _socket, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Runs the reader and writer until the socket closes. <paramref name="onFrame"/> handles each text frame.</summary>
    internal async Task RunAsync(Func<ClientConnection, ReadOnlyMemory<byte>, ValueTask> onFrame, CancellationToken cancellationToken)
    {
        var writer = WriteLoopAsync();
        try
        {
            await ReadLoopAsync(onFrame, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            Log.SocketError(_logger, ex, Id);
        }
        // The reader is done (peer closed, socket failed, or we asked to close): let the writer finish.
        Close(CloseCodes.Normal, "closed");
        try
        {
            await writer;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            Log.SocketError(_logger, ex, Id);
        }
        Log.ConnectionClosed(_logger, Id, CloseCode, _closeReason);
    }

    private async Task ReadLoopAsync(Func<ClientConnection, ReadOnlyMemory<byte>, ValueTask> onFrame, CancellationToken cancellationToken)
    {
        var max = _options.MaxFrameBytes;
        while (!IsClosing)
        {
            // Wait for the next message with a zero-byte read: an idle socket (most of them, most of the time) then
            // holds no buffer at all. One is rented only while a message is read and handled.
            var result = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(max + 1, 4096));
            try
            {
                var length = 0;
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close)
                {
                    if (length == buffer.Length)
                    {
                        // Grow, but never past max + 1: one byte more than allowed is enough to know it is too big.
                        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, max + 1));
                        buffer.AsSpan(0, length).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length, Math.Min(buffer.Length, max + 1) - length), cancellationToken);
                    length += result.Count;
                    if (length > max)
                    {
                        Log.FrameTooLarge(_logger, Id, max);
                        Close(CloseCodes.MessageTooBig, $"frame larger than {max} bytes", dropQueued: true);
                        return;
                    }
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                HubbubMetrics.FramesIn.Inc();
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    TryEnqueue(FrameWriter.Error(null, ErrorCodes.BadRequest, "binary frames are not supported; send JSON text frames"));
                    continue;
                }
                await onFrame(this, buffer.AsMemory(0, length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            // Per-pass bookkeeping: the frame counter (shared by every writer, so a contended cache line) and the
            // clock are touched once per drained batch, not once per frame.
            var sent = 0;
            while (!_dropQueued && reader.TryRead(out var frame))
            {
                await _socket.SendAsync(frame.Bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                sent++;
                if (frame.PublishedTimestamp != 0)
                {
                    HubbubMetrics.PublishToSend.Observe(Stopwatch.GetElapsedTime(frame.PublishedTimestamp).TotalSeconds);
                }
            }
            if (sent > 0)
            {
                LastSentTimestamp = _time.GetTimestamp();
                HubbubMetrics.FramesOut.Inc(sent);
            }
            if (_dropQueued)
            {
                break;
            }
        }
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await _socket.CloseOutputAsync((WebSocketCloseStatus)CloseCode, _closeReason, CancellationToken.None);
        }
    }

    private readonly record struct OutFrame(byte[] Bytes, long PublishedTimestamp);
}
