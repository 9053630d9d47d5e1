using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using Hubbub.Core.Diagnostics;
using Hubbub.Protocol;
using Microsoft.Extensions.Logging;

namespace Hubbub.Core.Connections;

/// <summary>
/// One client's WebSocket: a single reader loop that hands frames to the dispatcher, a bounded send queue, and the
/// connection's subscriptions. Anything may enqueue; nothing waits for the socket. The queue is drained on the
/// thread pool by at most one drain at a time, started by the first frame queued to an idle connection, so an
/// idle connection holds no writer task. A drain takes every queued frame at once and, when there are several,
/// sends them in one transport write (<see cref="CoalescingStream"/>). The queue is bounded in frames
/// (<see cref="HubbubOptions.SendQueueCapacity"/>) and in bytes (<see cref="HubbubOptions.SendQueueMaxBytes"/>, the
/// batch being written included); a full queue means the client cannot keep up: it is closed (4000) and what it
/// had queued is dropped at once, rather than buffered without end.
/// </summary>
public sealed partial class ClientConnection : IThreadPoolWorkItem
{
    private readonly WebSocket _socket;
    private readonly CoalescingStream? _transport;
    private readonly HubbubOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    // The send queue. Frames are appended to _pending under _sendGate; the drain swaps _pending with the array it
    // sent last (_sending, empty by then) and sends outside the lock, so enqueuers never wait for a send.
    private readonly Lock _sendGate = new();
    private OutFrame[] _pending = [];
    private int _pendingCount;
    private OutFrame[] _sending = [];
    private long _pendingBytes; // the bytes of the frames in _pending
    private long _sendingBytes; // the bytes of the batch the drain is writing (held until it is written or fails)
    private bool _drainScheduled;
    private bool _inRequest; // the reader is handling a request whose reply goes ahead of what it publishes
    private bool _holding; // that request has started publishing: frames wait for its reply
    private int _holdMark; // where that reply goes: after the frames queued before the request published
    private int _closeCode;
    private string _closeReason = string.Empty;
    private bool _dropQueued; // read by the drain between frames without the lock, hence Volatile.Read there
    private TaskCompletionSource? _drained;
    private ITimer? _abortTimer;
    private bool _ended;

    internal ClientConnection(string id, HubbubUser user, WebSocket socket, CoalescingStream? transport, HubbubOptions options,
        TimeProvider time, ILogger logger)
    {
        Id = id;
        _user = user;
        Info = new ClientInfo(user.Id, user.Name);
        _socket = socket;
        _transport = transport;
        _options = options;
        _time = time;
        _logger = logger;
        LastSentTimestamp = time.GetTimestamp();
        ConnectedAt = time.GetUtcNow();
        RateLimit = new Limits.TokenBucket(time, options.MessagesPerSecond, options.Burst);
        Subscriptions = new SubscriptionSet(_sendGate);
    }

    /// <summary>The TCP connection under the socket, ended by the host once the connection is done (none in tests).</summary>
    internal ITransportEnd? TransportEnd { get; init; }

    /// <summary>Channels the client asked for in its connect, until the host has subscribed them (then null).</summary>
    internal IReadOnlyList<string>? ConnectChannels { get; set; }

    /// <summary>The connection's inbound rate limit.</summary>
    internal Limits.TokenBucket RateLimit { get; }

    /// <summary>
    /// Counts one frame refused with <c>rate_limited</c> and returns how many were refused with less than
    /// <paramref name="quiet"/> between one refusal and the next. A frame let through in between does not reset
    /// it: a client that awaits each answer gets a token back now and then, and is flooding all the same.
    /// </summary>
    internal int CountRateRefusal(TimeSpan quiet)
    {
        var now = _time.GetTimestamp();
        if (_rateRefusals > 0 && _time.GetElapsedTime(_lastRateRefusal, now) > quiet)
        {
            _rateRefusals = 0;
        }
        _lastRateRefusal = now;
        return ++_rateRefusals;
    }

    private int _rateRefusals;
    private long _lastRateRefusal;

    /// <summary>The connection id announced in <c>welcome</c>.</summary>
    public string Id { get; }

    /// <summary>The send queue's lock, which the connection's subscriptions share (see <see cref="Subscription"/>).</summary>
    internal Lock SendGate => _sendGate;

    /// <summary>The user as shown to others (<c>from</c>, typing, presence): the name at connect, kept across refreshes.</summary>
    public ClientInfo Info { get; }

    /// <summary>When the connection was accepted (shown to operators, <c>GET /api/admin/nodes</c>).</summary>
    public DateTimeOffset ConnectedAt { get; }

    /// <summary>Subscriptions by channel (guarded by the send queue's lock, as the subscriptions themselves are).</summary>
    public SubscriptionSet Subscriptions { get; }

    /// <summary>When the writer last wrote a frame (a <see cref="TimeProvider"/> timestamp); drives heartbeats.</summary>
    public long LastSentTimestamp { get; private set; }

    /// <summary>True once a close was asked for.</summary>
    public bool IsClosing => Volatile.Read(ref _closeCode) != 0;

    /// <summary>The close code sent, or 0 while open.</summary>
    public int CloseCode => Volatile.Read(ref _closeCode);

    /// <summary>Completes when the last drain has ended (close frame sent, or the socket failed).</summary>
    private TaskCompletionSource Drained =>
        LazyInitializer.EnsureInitialized(ref _drained, static () => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>
    /// Queues a frame without waiting. When the queue is full the connection is closed as a slow consumer
    /// and false is returned; the caller carries on with the next subscriber. A closing connection takes no frames.
    /// </summary>
    public bool TryEnqueue(byte[] frame, long publishedTimestamp = 0) => Enqueue(frame, publishedTimestamp, drainHere: false);

    /// <summary>
    /// Queues a frame as <see cref="TryEnqueue"/> does, but a drain it starts runs here, on the caller's thread, up to its
    /// first send that has to wait (the heartbeat sweep's pings: see <see cref="ConnectionHost.SendHeartbeatsAsync"/>).
    /// </summary>
    internal bool TryEnqueueAndSend(byte[] frame) => Enqueue(frame, 0, drainHere: true);

    private bool Enqueue(byte[] frame, long publishedTimestamp, bool drainHere)
    {
        bool queued;
        bool startDrain;
        (int Frames, long Bytes) full = default;
        lock (_sendGate)
        {
            if (_closeCode != 0)
            {
                return false;
            }
            queued = FitsLocked(frame.Length);
            if (queued)
            {
                InsertLocked(_pendingCount, new OutFrame(frame, publishedTimestamp));
                startDrain = !_drainScheduled && !_holding;
                _drainScheduled |= startDrain;
            }
            else
            {
                // Decided under the lock, so of two threads finding the queue full only one closes, logs and counts.
                full = (_pendingCount + 1, _pendingBytes + _sendingBytes + frame.Length);
                startDrain = CloseLocked(CloseCodes.SlowConsumer, "slow consumer", dropQueued: true);
            }
        }
        if (!queued)
        {
            ReportSlowConsumer(full);
        }
        if (startDrain && drainHere && queued)
        {
            // Never throws; a send that waits goes on without the caller.
            _ = DrainAsync();
        }
        else if (startDrain)
        {
            StartDrain();
        }
        return queued;
    }

    /// <summary>
    /// Asks the writer to send a close frame with <paramref name="code"/> after the queued frames (or instead of
    /// them when <paramref name="dropQueued"/>). Only the first call counts. A socket that does not take the
    /// close frame within the grace period is aborted.
    /// </summary>
    public void Close(int code, string reason, bool dropQueued = false)
    {
        bool startDrain;
        lock (_sendGate)
        {
            if (_closeCode != 0)
            {
                return;
            }
            startDrain = CloseLocked(code, reason, dropQueued);
        }
        if (startDrain)
        {
            StartDrain();
        }
    }

    /// <summary>Bytes queued for this connection: frames waiting and the batch being written.</summary>
    internal long QueuedBytes
    {
        get
        {
            lock (_sendGate)
            {
                return _pendingBytes + _sendingBytes;
            }
        }
    }

    /// <summary>
    /// Whether a frame of <paramref name="length"/> bytes fits the queue (under <see cref="_sendGate"/>). An empty queue
    /// takes any frame, so one frame larger than the byte bound does not close an idle connection.
    /// </summary>
    private bool FitsLocked(int length)
    {
        var queuedBytes = _pendingBytes + _sendingBytes;
        return _pendingCount < _options.SendQueueCapacity
            && (queuedBytes == 0 || queuedBytes + length <= _options.SendQueueMaxBytes);
    }

    /// <summary>Counts and logs a slow-consumer close (outside the lock; the close was decided under it).</summary>
    private void ReportSlowConsumer((int Frames, long Bytes) queued)
    {
        HubbubMetrics.SlowConsumers.Inc();
        Log.SlowConsumer(_logger, Id, User.Id, queued.Frames, queued.Bytes, _options.SendQueueCapacity, _options.SendQueueMaxBytes);
    }

    /// <summary>Drops every waiting frame (under <see cref="_sendGate"/>): a closed slow consumer's memory goes at once.</summary>
    private void DropQueuedLocked()
    {
        Array.Clear(_pending, 0, _pendingCount);
        _pendingCount = 0;
        _pendingBytes = 0;
        _holdMark = 0;
        if (_pending.Length > ShrinkAbove)
        {
            _pending = [];
        }
    }

    /// <summary>Aborts the socket now, without a close frame (shutdown, once its wait for closing sockets is over).</summary>
    internal void Abort() => _socket.Abort();

    /// <summary>
    /// The heartbeat sweep's keep-alive step for a connection whose door left the keep-alive to the engine
    /// (<see cref="CoalescingStream.KeepsAlive"/>): asks for a PING when the peer has been quiet, and aborts the socket
    /// (no close frame: the peer could not take it) when a PING had no answer in time. True when it aborted.
    /// </summary>
    internal bool KeepAlive(long now, long quietMs, long timeoutMs)
    {
        if (_transport is not { KeepsAlive: true } transport || IsClosing
            || transport.CheckKeepAlive(now, quietMs, timeoutMs) != KeepAliveState.Dead)
        {
            return false;
        }
        Log.KeepAliveTimeout(_logger, Id, timeoutMs);
        _socket.Abort();
        return true;
    }

    private void InsertLocked(int index, OutFrame frame)
    {
        if (_pendingCount == _pending.Length)
        {
            // From one slot, doubling: an idle connection has had one frame at a time queued (its welcome, its subscribe
            // reply, a heartbeat), and both of its arrays (this one and the drain's) stay for its whole life, so
            // starting at four kept 96 bytes per connection for nothing. A busy connection grows to what it needs once.
            Array.Resize(ref _pending, Math.Min(Math.Max(1, _pending.Length * 2), _options.SendQueueCapacity));
        }
        if (index < _pendingCount)
        {
            Array.Copy(_pending, index, _pending, index + 1, _pendingCount - index);
        }
        _pending[index] = frame;
        _pendingCount++;
        _pendingBytes += frame.Bytes.Length;
    }

    /// <summary>Queues the drain (one at a time: callers start it only when they set <c>_drainScheduled</c>).</summary>
    private void StartDrain() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    /// <summary>Marks the connection closing (under <see cref="_sendGate"/>, not yet closing); true when a drain must be started.</summary>
    private bool CloseLocked(int code, string reason, bool dropQueued)
    {
        _closeReason = reason;
        _dropQueued = dropQueued;
        Volatile.Write(ref _closeCode, code);
        if (dropQueued)
        {
            // Now, not when the drain comes back for them: a drain stuck writing to a client that does not read
            // comes back only when the socket is aborted, a grace period later.
            DropQueuedLocked();
        }
        if (!_ended)
        {
            // Real time, not _time: this guards a socket, not domain logic, and must fire under a test's fake
            // clock too. Disposed when the connection ends, so a closed connection is not kept alive by it.
            _abortTimer = TimeProvider.System.CreateTimer(static s =>
            {
                var socket = (WebSocket)s!;
                if (socket.State is not (WebSocketState.Closed or WebSocketState.Aborted))
                {
                    socket.Abort();
                }
            }, _socket, TimeSpan.FromMilliseconds(_options.SlowConsumerCloseGraceMs), Timeout.InfiniteTimeSpan);
        }
        var startDrain = !_drainScheduled;
        _drainScheduled = true;
        return startDrain;
    }

    /// <summary>Runs the reader and writer until the socket closes. <paramref name="onFrame"/> handles each text frame.</summary>
    /// <remarks>
    /// The wait for the next message is in this method itself, not in a reader method it awaits: an idle connection then
    /// keeps one pending state machine for its reader, not two (<see cref="ReadMessageAsync"/> is pending only while a
    /// message is read and handled).
    /// </remarks>
    internal async Task RunAsync(Func<ClientConnection, ReadOnlyMemory<byte>, ValueTask> onFrame, CancellationToken cancellationToken,
        IConnectionLifecycle? lifecycle = null)
    {
        // The lifecycle's steps run in this one state machine, not in a caller's awaiting this task: that caller's
        // would stay pending beside this one for the connection's whole life.
        try
        {
            if (lifecycle is not null)
            {
                await lifecycle.OpenedAsync(this);
            }
            try
            {
                while (!IsClosing)
                {
                    // Wait for the next message with a zero-byte read: an idle socket (most of them, most of the time) then
                    // holds no buffer at all. One is rented only while a message is read and handled.
                    var result = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
                    if (result.MessageType == WebSocketMessageType.Close || !await ReadMessageAsync(result, onFrame, cancellationToken))
                    {
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
                Log.SocketError(_logger, ex, Id);
            }
            // The reader is done (peer closed, socket failed, or we asked to close): let the last drain finish.
            // What is left (waiting for the client's close frame, ending) is FinishAsync's.
            Close(CloseCodes.Normal, "closed");
            await Drained.Task;
        }
        finally
        {
            if (lifecycle is not null)
            {
                await lifecycle.EndedAsync(this);
            }
        }
    }

    /// <summary>
    /// Reads the message whose arrival <paramref name="result"/> (of a zero-byte read) announced and hands it to
    /// <paramref name="onFrame"/>; false when the reader must stop (a close frame, or a message over the size limit).
    /// </summary>
    private async ValueTask<bool> ReadMessageAsync(ValueWebSocketReceiveResult result, Func<ClientConnection, ReadOnlyMemory<byte>, ValueTask> onFrame,
        CancellationToken cancellationToken)
    {
        var max = _options.MaxFrameBytes;
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
                    return false;
                }
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return false;
            }
            HubbubMetrics.FramesIn.Inc();
            if (result.MessageType == WebSocketMessageType.Binary)
            {
                TryEnqueue(FrameWriter.Error(null, ErrorCodes.BadRequest, "binary frames are not supported; send JSON text frames"));
                return true;
            }
            await onFrame(this, buffer.AsMemory(0, length));
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = DrainAsync();

    /// <summary>
    /// Sends queued frames until the queue is empty, then ends (the next enqueue starts another drain) or, once the
    /// connection is closing, sends the close frame. Never throws: a failed send aborts the socket, which ends
    /// the reader.
    /// </summary>
    private async Task DrainAsync()
    {
        var last = true;
        try
        {
            while (true)
            {
                OutFrame[] batch;
                int count;
                lock (_sendGate)
                {
                    _sendingBytes = 0; // the batch before this one is written
                    if (_dropQueued)
                    {
                        DropQueuedLocked();
                    }
                    if (_holding && _closeCode == 0 && _pendingCount > 0)
                    {
                        // Held for a reply: what was queued before the request published may still go.
                        if (_holdMark == 0)
                        {
                            _drainScheduled = false;
                            last = false;
                            return;
                        }
                        count = TakeAheadOfHoldLocked();
                        batch = _sending;
                    }
                    else if (_pendingCount == 0)
                    {
                        if (_closeCode == 0)
                        {
                            _drainScheduled = false;
                            last = false;
                            return;
                        }
                        // Closing: this drain is the last (_drainScheduled stays set, so none starts after it).
                        break;
                    }
                    else
                    {
                        batch = _pending;
                        count = _pendingCount;
                        _pending = _sending;
                        _pendingCount = 0;
                        _sending = batch;
                        _sendingBytes = _pendingBytes;
                        _pendingBytes = 0;
                    }
                }
                await SendBatchAsync(batch, count);
            }
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync((WebSocketCloseStatus)CloseCode, _closeReason, CancellationToken.None);
            }
        }
#pragma warning disable CA1031 // Any failure here must still end the connection, or RunAsync would wait forever.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // Nothing more can be sent; stop taking frames and make sure the reader ends too.
            Close(CloseCodes.Normal, "send failed");
            _socket.Abort();
            Log.SocketError(_logger, ex, Id);
        }
        finally
        {
            if (last)
            {
                Drained.TrySetResult();
            }
        }
    }

    private async ValueTask SendBatchAsync(OutFrame[] batch, int count)
    {
        var coalesce = count > 1 ? _transport : null;
        coalesce?.HoldWrites();
        long oldestPublished = 0;
        var sent = 0;
        while (sent < count)
        {
            if (Volatile.Read(ref _dropQueued))
            {
                // Closed as a slow consumer or for a too-big frame mid-batch: the client gets the close frame next,
                // not the rest of the batch. Whatever is held goes out with that close frame.
                coalesce?.FlushOnNextWrite();
                break;
            }
            var frame = batch[sent];
            if (sent == count - 1)
            {
                coalesce?.FlushOnNextWrite();
            }
            await _socket.SendAsync(frame.Bytes, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            sent++;
            if (oldestPublished == 0)
            {
                oldestPublished = frame.PublishedTimestamp;
            }
        }
        Array.Clear(batch, 0, count);
        if (batch.Length > ShrinkAbove)
        {
            // A burst grew the array; do not keep it for the connection's lifetime.
            _sending = [];
        }
        if (oldestPublished != 0)
        {
            HubbubMetrics.PublishToSend.Observe(Stopwatch.GetElapsedTime(oldestPublished).TotalSeconds);
        }
        if (sent > 0)
        {
            // Per-batch bookkeeping: the frame counter (shared by every writer, so a contended cache line) and the
            // clock are touched once per drained batch, not once per frame.
            LastSentTimestamp = _time.GetTimestamp();
            HubbubMetrics.FramesOut.Inc(sent);
        }
    }

    /// <summary>Send arrays longer than this are dropped after use rather than kept.</summary>
    private const int ShrinkAbove = 64;

    private readonly record struct OutFrame(byte[] Bytes, long PublishedTimestamp);
}
