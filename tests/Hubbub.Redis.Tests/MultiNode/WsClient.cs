using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>
/// A raw WebSocket client for tests: records every frame the server sends, sends requests with ids, and lets a
/// test await frames with a deadline.
/// </summary>
public sealed class WsClient : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private readonly ClientWebSocket _socket;
    private readonly List<JsonElement> _frames = [];
    private readonly List<long> _arrivals = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextId;
    private int _disposed;

    private WsClient(ClientWebSocket socket, string user)
    {
        _socket = socket;
        User = user;
        _reader = Task.Run(ReadLoopAsync);
    }

    public string User { get; }

    /// <summary>True once the server closed the socket or it broke.</summary>
    public bool Closed { get; private set; }

    /// <summary>Every frame received so far.</summary>
    public IReadOnlyList<JsonElement> Frames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames];
            }
        }
    }

    public static async Task<WsClient> ConnectAsync(int port, string user, string signingKey)
    {
        var socket = new ClientWebSocket();
        var token = Token(user, $"User {user}", signingKey);
        using var timeout = new CancellationTokenSource(Deadline);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws?access_token={token}"), timeout.Token);
        var client = new WsClient(socket, user);
        await client.WaitForAsync(f => Type(f) == "welcome");
        return client;
    }

    /// <summary>Every frame received so far with its arrival time (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public IReadOnlyList<(JsonElement Frame, long Arrived)> TimedFrames
    {
        get
        {
            lock (_gate)
            {
                return [.. _frames.Zip(_arrivals)];
            }
        }
    }

    /// <summary>Sends a request without waiting for its answer; returns its id.</summary>
    public async Task<int> SendRequestAsync(string type, object data)
    {
        var id = Interlocked.Increment(ref _nextId);
        await SendRawAsync(JsonSerializer.Serialize(new Dictionary<string, object> { ["type"] = type, ["id"] = id, ["data"] = data }));
        return id;
    }

    /// <summary>Sends a request and returns its reply's <c>data</c>; an error reply throws.</summary>
    public async Task<JsonElement> RequestAsync(string type, object data)
    {
        var id = Interlocked.Increment(ref _nextId);
        var frame = JsonSerializer.Serialize(new Dictionary<string, object> { ["type"] = type, ["id"] = id, ["data"] = data });
        await SendRawAsync(frame);
        var reply = await WaitForAsync(f => f.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt32() == id);
        if (Type(reply) is not ("reply" or "pong"))
        {
            throw new InvalidOperationException($"{type} failed: {reply}");
        }
        return reply.GetProperty("data");
    }

    public Task<JsonElement> SubscribeAsync(string channel, long? sinceOffset = null, string? sinceEpoch = null) =>
        RequestAsync("subscribe", sinceOffset is { } offset
            ? new { channel, since = new { offset, epoch = sinceEpoch } }
            : new { channel });

    public async Task SendRawAsync(string text)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
    }

    /// <summary>The publications (frames with an offset) received on a channel, in arrival order.</summary>
    public IReadOnlyList<JsonElement> Publications(string channel) =>
        Frames.Where(f => Channel(f) == channel && f.TryGetProperty("offset", out _)).ToList();

    /// <summary>Waits until at least <paramref name="count"/> publications arrived on the channel.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForPublicationsAsync(string channel, int count)
    {
        await WaitUntilAsync(() => Publications(channel).Count >= count, $"{count} publications on {channel}");
        return Publications(channel);
    }

    /// <summary>The first frame (received so far or later) matching <paramref name="predicate"/>.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> predicate, TimeSpan? within = null)
    {
        JsonElement found = default;
        await WaitUntilAsync(() =>
        {
            foreach (var frame in Frames)
            {
                if (predicate(frame))
                {
                    found = frame;
                    return true;
                }
            }
            return false;
        }, "a matching frame", within);
        return found;
    }

    public static string? Type(JsonElement frame) =>
        frame.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;

    public static string? Channel(JsonElement frame) =>
        frame.TryGetProperty("channel", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;

    /// <summary>Closes the socket without the close handshake: the client just vanishes, like a dropped network.</summary>
    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stop.CancelAsync();
        _socket.Abort();
        try
        {
            await _reader.WaitAsync(Deadline);
        }
        catch (Exception)
        {
            // The read loop ends with the aborted socket.
        }
        _socket.Dispose();
        _stop.Dispose();
    }

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking it whenever a frame arrives (bounded).</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        using var deadline = new CancellationTokenSource(within ?? Deadline);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }
            if (condition())
            {
                return;
            }
            if (Closed)
            {
                throw new InvalidOperationException($"{User}: the socket closed while waiting for {what}. Frames: {string.Join("\n", Frames)}");
            }
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{User}: no {what} within {within ?? Deadline}. Frames:\n{string.Join("\n", Frames)}");
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }
                using var doc = JsonDocument.Parse(message.ToArray());
                message.SetLength(0);
                lock (_gate)
                {
                    _frames.Add(doc.RootElement.Clone());
                    _arrivals.Add(System.Diagnostics.Stopwatch.GetTimestamp());
                    Signal();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The socket ended.
        }
        lock (_gate)
        {
            Closed = true;
            Signal();
        }
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }

    /// <summary>An HS256 JWT signed with the server's key, valid for an hour.</summary>
    public static string Token(string user, string name, string key)
    {
        static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = B64(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["sub"] = user, ["name"] = name, ["exp"] = exp }));
        var signature = B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }
}
