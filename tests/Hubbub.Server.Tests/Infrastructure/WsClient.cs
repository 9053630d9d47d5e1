using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Hubbub.Server.Tests.Infrastructure;

/// <summary>
/// A test client over a real <see cref="ClientWebSocket"/>: a background loop collects every frame; tests
/// await frames by predicate (taking them in arrival order) or make requests that await their reply.
/// </summary>
public sealed class WsClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);
    private readonly ClientWebSocket _socket;
    private readonly List<JsonElement> _inbox = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly Task _receiver;
    private int _nextId = 1000; // above the ids tests write by hand

    private WsClient(ClientWebSocket socket)
    {
        _socket = socket;
        _receiver = Task.Run(ReceiveLoopAsync);
    }

    public JsonElement Welcome { get; private set; }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseDescription => _socket.CloseStatusDescription;

    public bool IsClosed { get; private set; }

    public static async Task<WsClient> ConnectAsync(Uri uri, string? origin = null, string? bearer = null, bool expectWelcome = true)
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
        using var cts = new CancellationTokenSource(DefaultWait);
        await socket.ConnectAsync(uri, cts.Token);
        var client = new WsClient(socket);
        if (expectWelcome)
        {
            client.Welcome = await client.NextAsync(f => f.Type() == "welcome");
        }
        return client;
    }

    /// <summary>Connects and returns the HTTP status of a refused handshake (0 when it was accepted).</summary>
    public static async Task<int> HandshakeStatusAsync(Uri uri, string? origin = null, string? bearer = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        if (bearer is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        }
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

    public Task SendRawAsync(string text) => SendBytesAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendBytesAsync(byte[] bytes, WebSocketMessageType type = WebSocketMessageType.Text)
    {
        using var cts = new CancellationTokenSource(DefaultWait);
        await _socket.SendAsync(bytes, type, endOfMessage: true, cts.Token);
    }

    public Task SendAsync(object frame) => SendRawAsync(JsonSerializer.Serialize(frame));

    /// <summary>Sends a request with a fresh id and returns its reply or error frame.</summary>
    public async Task<JsonElement> RequestAsync(string type, object? data = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        await SendAsync(data is null ? new { type, id } : new { type, id, data });
        return await NextAsync(f => f.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt32() == id
            && f.Type() is "reply" or "error" or "pong");
    }

    /// <summary>Like <see cref="RequestAsync"/> but fails the test unless the answer is a reply.</summary>
    public async Task<JsonElement> OkAsync(string type, object? data = null)
    {
        var answer = await RequestAsync(type, data);
        Assert.True(answer.Type() == "reply", $"{type} was refused: {answer}");
        return answer.GetProperty("data");
    }

    public Task<JsonElement> SubscribeAsync(string channel, object? since = null) =>
        OkAsync("subscribe", since is null ? new { channel } : new { channel, since });

    /// <summary>Takes the first unconsumed frame matching <paramref name="match"/>, waiting for it if needed.</summary>
    public async Task<JsonElement> NextAsync(Func<JsonElement, bool>? match = null, TimeSpan? timeout = null)
    {
        match ??= _ => true;
        using var cts = new CancellationTokenSource(timeout ?? DefaultWait);
        while (true)
        {
            lock (_inbox)
            {
                var index = _inbox.FindIndex(f => match(f));
                if (index >= 0)
                {
                    var frame = _inbox[index];
                    _inbox.RemoveAt(index);
                    return frame;
                }
                if (IsClosed)
                {
                    throw new InvalidOperationException($"connection closed ({CloseStatus} {CloseDescription}) before the awaited frame arrived");
                }
            }
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_inbox)
                {
                    throw new TimeoutException($"no matching frame within {timeout ?? DefaultWait}; unconsumed: {string.Join(" | ", _inbox)}");
                }
            }
        }
    }

    /// <summary>The next <paramref name="count"/> publications on a channel, in arrival order.</summary>
    public async Task<List<JsonElement>> PublicationsAsync(string channel, int count, TimeSpan? timeout = null)
    {
        var result = new List<JsonElement>(count);
        for (var i = 0; i < count; i++)
        {
            result.Add(await NextAsync(f => f.TryGetProperty("offset", out _) && f.Channel() == channel, timeout));
        }
        return result;
    }

    /// <summary>Frames received and not yet taken that match; a ping round trip first makes this a sync point.</summary>
    public async Task<List<JsonElement>> PendingAfterSyncAsync(Func<JsonElement, bool> match)
    {
        await OkOrPongAsync();
        lock (_inbox)
        {
            return _inbox.Where(match).ToList();
        }
    }

    private async Task OkOrPongAsync()
    {
        var id = Interlocked.Increment(ref _nextId);
        await SendAsync(new { type = "ping", id });
        await NextAsync(f => f.Type() == "pong" && f.TryGetProperty("id", out var i) && i.GetInt32() == id);
    }

    public async Task<WebSocketCloseStatus?> WaitClosedAsync(TimeSpan? timeout = null)
    {
        var wait = Task.Delay(timeout ?? DefaultWait);
        if (await Task.WhenAny(_receiver, wait) == wait)
        {
            throw new TimeoutException("the server did not close the connection");
        }
        return _socket.CloseStatus;
    }

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

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                var length = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length).ToArraySegment(), CancellationToken.None);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    }
                    break;
                }
                using var doc = JsonDocument.Parse(buffer.AsMemory(0, length));
                lock (_inbox)
                {
                    _inbox.Add(doc.RootElement.Clone());
                }
                _arrived.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Closed or aborted: the state tells.
        }
        finally
        {
            lock (_inbox)
            {
                IsClosed = true;
            }
            _arrived.Release();
        }
    }
}

internal static class ArraySegmentExtensions
{
    public static ArraySegment<byte> ToArraySegment(this Memory<byte> memory) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(memory, out var segment) ? segment : throw new InvalidOperationException();
}

public static class FrameExtensions
{
    public static string? Type(this JsonElement frame) => frame.TryGetProperty("type", out var t) ? t.GetString() : null;

    public static string? Channel(this JsonElement frame) => frame.TryGetProperty("channel", out var c) ? c.GetString() : null;

    public static long Offset(this JsonElement frame) => frame.GetProperty("offset").GetInt64();

    public static string ErrorCode(this JsonElement frame) => frame.GetProperty("data").GetProperty("code").GetString()!;
}
