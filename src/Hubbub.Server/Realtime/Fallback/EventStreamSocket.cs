using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace Hubbub.Server.Realtime.Fallback;

/// <summary>
/// A <see cref="WebSocket"/> made of HTTP, so the engine serves a fallback session exactly as it serves <c>/ws</c>
/// (welcome, dispatcher, limits, subscriptions, recovery, close codes) without knowing: what the engine sends goes
/// out on a Server-Sent Events response, one frame per <c>data:</c> event; what it reads are the frames that
/// <c>POST</c>s brought (<see cref="TryAdmit"/>), one message each, in the order admitted. A close the engine sends
/// becomes an <c>event: close</c> and the end of the response; the client ending the response is the peer's close.
/// </summary>
internal sealed class EventStreamSocket : WebSocket
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();

    private readonly HttpContext _context;
    private readonly long _maxQueuedBytes;
    private readonly Channel<ReadOnlyMemory<byte>> _inbound = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lock _admitGate = new();
    private long _queuedBytes;
    private ReadOnlyMemory<byte> _current;
    private bool _inMessage;
    private int _state = (int)WebSocketState.Open;
    private WebSocketCloseStatus? _closeStatus;
    private string? _closeDescription;

    public EventStreamSocket(string session, string userId, HttpContext context, long maxQueuedBytes)
    {
        Session = session;
        UserId = userId;
        _context = context;
        _maxQueuedBytes = maxQueuedBytes;
        LastWrite = Environment.TickCount64;
    }

    /// <summary>The session id the client addresses its <c>POST</c>s to.</summary>
    public string Session { get; }

    /// <summary>The id of the signed-in user the stream was opened for; only they may post to it.</summary>
    public string UserId { get; }

    /// <summary>When the stream was last written (<see cref="Environment.TickCount64"/>).</summary>
    public long LastWrite { get; private set; }

    public override WebSocketCloseStatus? CloseStatus => _closeStatus;

    public override string? CloseStatusDescription => _closeDescription;

    public override WebSocketState State => (WebSocketState)Volatile.Read(ref _state);

    public override string? SubProtocol => null;

    /// <summary>
    /// Queues the frames of one <c>POST</c> for the engine, all or none: none when the session ended or when they
    /// would take its unhandled frames past the bound (an empty queue takes any body).
    /// </summary>
    public AdmitOutcome TryAdmit(IReadOnlyList<ReadOnlyMemory<byte>> frames, int bodyBytes)
    {
        lock (_admitGate)
        {
            if (State != WebSocketState.Open)
            {
                return AdmitOutcome.Ended;
            }
            if (_queuedBytes > 0 && _queuedBytes + bodyBytes > _maxQueuedBytes)
            {
                return AdmitOutcome.Full;
            }
            foreach (var frame in frames)
            {
                _queuedBytes += frame.Length;
                _inbound.Writer.TryWrite(frame);
            }
            return AdmitOutcome.Admitted;
        }
    }

    /// <summary>The client ended the response (or its connection died): the peer's close.</summary>
    public void PeerGone()
    {
        Interlocked.CompareExchange(ref _state, (int)WebSocketState.CloseReceived, (int)WebSocketState.Open);
        _inbound.Writer.TryComplete();
    }

    /// <summary>Writes an SSE event of another type than a frame (the opening <c>session</c> event).</summary>
    public Task WriteEventAsync(string eventName, ReadOnlyMemory<byte> json) =>
        WriteAsync(eventName, json, comment: false);

    /// <summary>Writes an SSE comment when nothing was written for <paramref name="quiet"/> ms: keeps proxies from cutting an idle stream.</summary>
    public async Task CommentIfQuietAsync(long quiet)
    {
        if (Environment.TickCount64 - LastWrite >= quiet && State == WebSocketState.Open)
        {
            await WriteAsync(null, default, comment: true);
        }
    }

    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!_inMessage)
        {
            while (true)
            {
                if (_inbound.Reader.TryRead(out var next))
                {
                    lock (_admitGate)
                    {
                        _queuedBytes -= next.Length;
                    }
                    _current = next;
                    _inMessage = true;
                    break;
                }
                bool more;
                try
                {
                    more = await _inbound.Reader.WaitToReadAsync(cancellationToken);
                }
                catch (ChannelClosedException ex)
                {
                    throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, ex);
                }
                if (!more)
                {
                    if (State == WebSocketState.Aborted)
                    {
                        throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely);
                    }
                    return new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, endOfMessage: true);
                }
            }
        }
        var count = Math.Min(buffer.Length, _current.Length);
        _current[..count].CopyTo(buffer);
        _current = _current[count..];
        // A zero-byte read (the engine waits for a message that way) of a frame leaves it whole: not its end.
        var end = _current.IsEmpty;
        if (end)
        {
            _inMessage = false;
        }
        return new ValueWebSocketReceiveResult(count, WebSocketMessageType.Text, end);
    }

    public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the engine reads with ReceiveAsync(Memory<byte>)");

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType,
        WebSocketMessageFlags messageFlags, CancellationToken cancellationToken)
    {
        if (!messageFlags.HasFlag(WebSocketMessageFlags.EndOfMessage))
        {
            throw new NotSupportedException("frames are sent whole");
        }
        await WriteAsync(null, buffer, comment: false);
    }

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage,
        CancellationToken cancellationToken) =>
        SendAsync(buffer, messageType, endOfMessage ? WebSocketMessageFlags.EndOfMessage : WebSocketMessageFlags.None, cancellationToken);

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage,
        CancellationToken cancellationToken) =>
        SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();

    /// <summary>
    /// The engine's close frame: an <c>event: close</c> with <c>{code, reason}</c>, after which the response ends.
    /// There is no close frame to wait for from the client, so the socket counts as closed at once.
    /// </summary>
    public override async Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        _closeStatus = closeStatus;
        _closeDescription = statusDescription;
        var wasOpen = Interlocked.Exchange(ref _state, (int)WebSocketState.Closed) == (int)WebSocketState.Open;
        _inbound.Writer.TryComplete(); // ends the engine's reader, as the client's close frame would
        if (wasOpen)
        {
            var body = Encoding.UTF8.GetBytes(
                $"{{\"code\":{(int)closeStatus},\"reason\":{System.Text.Json.JsonSerializer.Serialize(statusDescription ?? string.Empty, FallbackJsonContext.Default.String)}}}");
            try
            {
                await WriteAsync("close", body, comment: false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // The client is gone: nothing to tell it.
            }
        }
    }

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override void Abort()
    {
        var previous = Interlocked.Exchange(ref _state, (int)WebSocketState.Aborted);
        _inbound.Writer.TryComplete();
        if (previous != (int)WebSocketState.Aborted)
        {
            // Fails a write stuck on a client that does not read, and ends the response.
            _context.Abort();
        }
    }

    public override void Dispose()
    {
        _inbound.Writer.TryComplete();
    }

    /// <summary>
    /// One SSE event: <c>event:</c> when named, a <c>data:</c> line per line of the JSON (a frame's JSON may hold
    /// line breaks as whitespace; SSE joins the lines back with <c>\n</c>, which is whitespace too), then a blank line.
    /// </summary>
    private async Task WriteAsync(string? eventName, ReadOnlyMemory<byte> json, bool comment)
    {
        await _writeGate.WaitAsync();
        try
        {
            var writer = _context.Response.BodyWriter;
            if (comment)
            {
                writer.Write(":\n\n"u8);
            }
            else
            {
                if (eventName is not null)
                {
                    writer.Write(Encoding.UTF8.GetBytes($"event: {eventName}\n"));
                }
                var rest = json.Span;
                while (true)
                {
                    writer.Write(DataPrefix);
                    var lineEnd = rest.IndexOfAny((byte)'\n', (byte)'\r');
                    if (lineEnd < 0)
                    {
                        writer.Write(rest);
                        writer.Write("\n"u8);
                        break;
                    }
                    writer.Write(rest[..lineEnd]);
                    writer.Write("\n"u8);
                    var skip = rest[lineEnd] == '\r' && lineEnd + 1 < rest.Length && rest[lineEnd + 1] == '\n' ? 2 : 1;
                    rest = rest[(lineEnd + skip)..];
                }
                writer.Write("\n"u8);
            }
            var flushed = await writer.FlushAsync();
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                throw new IOException("the event stream's client is gone");
            }
            LastWrite = Environment.TickCount64;
        }
        finally
        {
            _writeGate.Release();
        }
    }
}

/// <summary>What became of a <c>POST</c>'s frames.</summary>
internal enum AdmitOutcome
{
    /// <summary>Queued for the engine, in order.</summary>
    Admitted,

    /// <summary>Refused: the session's queue of unhandled frames is full.</summary>
    Full,

    /// <summary>Refused: the session is closing or closed.</summary>
    Ended,
}
