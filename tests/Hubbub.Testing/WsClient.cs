using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Hubbub.Testing;

/// <summary>
/// A test client over a real <see cref="ClientWebSocket"/>. A background loop records every frame twice: in
/// <see cref="Frames"/> (everything, never consumed, with arrival times) and in an inbox that
/// <see cref="NextAsync"/> takes frames from in arrival order. So a test can either consume frames one by one
/// (<see cref="NextAsync"/>, <see cref="PublicationsAsync"/>) or look at what a channel received so far and
/// wait until it holds something (<see cref="WaitForAsync"/>, <see cref="WaitForPublicationsAsync"/>). Every
/// wait is bounded (<see cref="DefaultWait"/> unless given) and a timeout lists what did arrive.
/// </summary>
public sealed class WsClient : IAsyncDisposable
{
    /// <summary>How long a wait lasts when the caller gives no timeout.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket;
    private readonly FrameInbox _received;
    private readonly Task _receiver;
    private int _nextId = 1000; // above the ids tests write by hand
    private int _disposed;

    private WsClient(ClientWebSocket socket, string user)
    {
        _socket = socket;
        User = user;
        _received = new FrameInbox(() => Who, () => $"connection closed ({CloseStatus} {CloseDescription})");
        _receiver = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>The user this client connected as, when it connected through <see cref="ConnectAsync(int, string, string)"/>; else empty.</summary>
    public string User { get; }

    /// <summary>The welcome frame (default when connected with <c>expectWelcome: false</c>).</summary>
    public JsonElement Welcome { get; private set; }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseDescription => _socket.CloseStatusDescription;

    /// <summary>True once the server closed the socket or it broke.</summary>
    public bool IsClosed => _received.IsEnded;

    /// <summary>The same as <see cref="IsClosed"/>.</summary>
    public bool Closed => IsClosed;

    /// <summary>Every frame received so far, consumed or not, in arrival order.</summary>
    public IReadOnlyList<JsonElement> Frames => _received.Frames;

    /// <summary>Every frame received so far with its arrival time (a <see cref="Stopwatch"/> timestamp).</summary>
    public IReadOnlyList<(JsonElement Frame, long Arrived)> TimedFrames => _received.TimedFrames;

    /// <summary>Connects to <paramref name="uri"/> (a token in its query or <paramref name="bearer"/>) and, unless told not to, awaits the welcome.</summary>
    public static async Task<WsClient> ConnectAsync(Uri uri, string? origin = null, string? bearer = null, bool expectWelcome = true)
    {
        var socket = NewSocket(origin, bearer);
        using var cts = new CancellationTokenSource(DefaultWait);
        await socket.ConnectAsync(uri, cts.Token);
        var client = new WsClient(socket, "");
        if (expectWelcome)
        {
            client.Welcome = await client.NextAsync(f => f.Type() == "welcome");
        }
        return client;
    }

    /// <summary>Connects with request headers of its own (a session cookie, say) set by <paramref name="configure"/>, and awaits the welcome.</summary>
    public static async Task<WsClient> ConnectAsync(Uri uri, Action<ClientWebSocketOptions> configure)
    {
        var socket = NewSocket(null, null);
        configure(socket.Options);
        using var cts = new CancellationTokenSource(DefaultWait);
        await socket.ConnectAsync(uri, cts.Token);
        var client = new WsClient(socket, "");
        client.Welcome = await client.NextAsync(f => f.Type() == "welcome");
        return client;
    }

    /// <summary>The HTTP status of a refused handshake made with headers set by <paramref name="configure"/> (0 when accepted).</summary>
    public static async Task<int> HandshakeStatusAsync(Uri uri, Action<ClientWebSocketOptions> configure)
    {
        using var socket = NewSocket(null, null);
        configure(socket.Options);
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            using var cts = new CancellationTokenSource(DefaultWait);
            await socket.ConnectAsync(uri, cts.Token);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
            return 0;
        }
        catch (WebSocketException)
        {
            return (int)socket.HttpStatusCode;
        }
    }

    /// <summary>Connects to a server on 127.0.0.1:<paramref name="port"/> as <paramref name="user"/> (token signed with <paramref name="signingKey"/>) and awaits the welcome.</summary>
    public static async Task<WsClient> ConnectAsync(int port, string user, string signingKey)
    {
        var socket = NewSocket(null, null);
        var token = TestTokens.For(user, $"User {user}", key: signingKey);
        using var cts = new CancellationTokenSource(DefaultWait);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws?access_token={token}"), cts.Token);
        var client = new WsClient(socket, user);
        client.Welcome = await client.WaitForAsync(f => f.Type() == "welcome");
        return client;
    }

    /// <summary>Connects and returns the HTTP status of a refused handshake (0 when it was accepted).</summary>
    public static Task<int> HandshakeStatusAsync(Uri uri, string? origin = null, string? bearer = null) =>
        HandshakeStatusAsync(uri, options =>
        {
            if (origin is not null)
            {
                options.SetRequestHeader("Origin", origin);
            }
            if (bearer is not null)
            {
                options.SetRequestHeader("Authorization", "Bearer " + bearer);
            }
        });

    public Task SendRawAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type = WebSocketMessageType.Text)
    {
        using var cts = new CancellationTokenSource(DefaultWait);
        await _socket.SendAsync(bytes, type, endOfMessage: true, cts.Token);
    }

    public Task SendAsync(object frame) => SendRawAsync(JsonSerializer.Serialize(frame));

    /// <summary>Sends a request with a fresh id without waiting for its answer; returns the id.</summary>
    public async Task<int> SendRequestAsync(string type, object? data = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        await SendAsync(data is null ? new { type, id } : new { type, id, data });
        return id;
    }

    /// <summary>Sends a request with a fresh id and takes its reply, error or pong frame (whole).</summary>
    public async Task<JsonElement> RequestAsync(string type, object? data = null)
    {
        var id = await SendRequestAsync(type, data);
        return await NextAsync(f => f.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt32() == id
            && f.Type() is "reply" or "error" or "pong");
    }

    /// <summary>Like <see cref="RequestAsync"/> but returns the answer's <c>data</c> and throws unless it is a reply (or a pong).</summary>
    public async Task<JsonElement> OkAsync(string type, object? data = null)
    {
        var answer = await RequestAsync(type, data);
        if (answer.Type() is not ("reply" or "pong"))
        {
            throw new InvalidOperationException($"{type} was refused: {answer}");
        }
        return answer.TryGetProperty("data", out var body) ? body : default;
    }

    /// <summary>Subscribes (optionally with a <c>since</c> position object) and returns the reply's data.</summary>
    public Task<JsonElement> SubscribeAsync(string channel, object? since = null) =>
        OkAsync("subscribe", since is null ? new { channel } : new { channel, since });

    /// <summary>Subscribes to recover from <paramref name="sinceOffset"/> in <paramref name="sinceEpoch"/>.</summary>
    public Task<JsonElement> SubscribeAsync(string channel, long sinceOffset, string? sinceEpoch) =>
        SubscribeAsync(channel, new { offset = sinceOffset, epoch = sinceEpoch });

    /// <summary>Takes the first unconsumed frame matching <paramref name="match"/>, waiting for it if needed.</summary>
    public Task<JsonElement> NextAsync(Func<JsonElement, bool>? match = null, TimeSpan? timeout = null) => _received.NextAsync(match, timeout);

    /// <summary>Takes the next <paramref name="count"/> publications on a channel, in arrival order.</summary>
    public Task<List<JsonElement>> PublicationsAsync(string channel, int count, TimeSpan? timeout = null) =>
        _received.PublicationsAsync(channel, count, timeout);

    /// <summary>Frames received and not yet taken that match; a ping round trip first makes this a sync point.</summary>
    public async Task<List<JsonElement>> PendingAfterSyncAsync(Func<JsonElement, bool> match)
    {
        await RequestAsync("ping");
        return _received.Pending(match);
    }

    /// <summary>The publications (frames with an offset) received on a channel so far, consumed or not, in arrival order.</summary>
    public IReadOnlyList<JsonElement> Publications(string channel) =>
        Frames.Where(f => f.Channel() == channel && f.TryGetProperty("offset", out _)).ToList();

    /// <summary>Waits until at least <paramref name="count"/> publications arrived on the channel; returns them all.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForPublicationsAsync(string channel, int count, TimeSpan? within = null)
    {
        await WaitUntilAsync(() => Publications(channel).Count >= count, $"{count} publications on {channel}", within);
        return Publications(channel);
    }

    /// <summary>The first frame (received so far or later, consumed or not) matching <paramref name="predicate"/>.</summary>
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

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking it whenever a frame arrives (bounded).</summary>
    public Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? within = null) => _received.WaitUntilAsync(condition, what, within);

    /// <summary>Waits (bounded) until the server closes the connection; returns its close status.</summary>
    public async Task<WebSocketCloseStatus?> WaitClosedAsync(TimeSpan? timeout = null)
    {
        var wait = Task.Delay(timeout ?? DefaultWait);
        if (await Task.WhenAny(_receiver, wait) == wait)
        {
            throw new TimeoutException($"{Who}the server did not close the connection");
        }
        return _socket.CloseStatus;
    }

    /// <summary>The type of a frame; kept for call sites that read it as <c>WsClient.Type(frame)</c>.</summary>
    public static string? Type(JsonElement frame) => frame.Type();

    /// <summary>The channel of a frame; kept for call sites that read it as <c>WsClient.Channel(frame)</c>.</summary>
    public static string? Channel(JsonElement frame) => frame.Channel();

    /// <summary>Closes the socket without the close handshake: the client just vanishes, like a dropped network.</summary>
    public void Abort() => _socket.Abort();

    public async Task CloseAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var cts = new CancellationTokenSource(DefaultWait);
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                _socket.Abort();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await CloseAsync();
        _socket.Abort();
        try
        {
            await _receiver.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // The receive loop ends with the aborted socket; nothing else holds it.
        }
        _socket.Dispose();
    }

    private string Who => User.Length > 0 ? $"{User}: " : "";

    private static ClientWebSocket NewSocket(string? origin, string? bearer)
    {
        var socket = new ClientWebSocket();
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        if (bearer is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        }
        return socket;
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    }
                    break;
                }
                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }
                using var doc = JsonDocument.Parse(message.GetBuffer().AsMemory(0, (int)message.Length));
                message.SetLength(0);
                _received.Add(doc.RootElement.Clone());
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Closed or aborted: the state tells.
        }
        finally
        {
            _received.End();
        }
    }
}
