using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Hubbub.Testing;

/// <summary>
/// A test client of the HTTP fallback transport: a <c>GET /ws/sse</c> stream read by a background loop (every frame
/// recorded, as <see cref="WsClient"/> does) and frames sent with <c>POST /ws/sse/{session}</c>. The base address may
/// be a proxy in front of several nodes: the stream and each POST may then reach different nodes. Waits are bounded.
/// </summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly FrameInbox _received;
    private readonly Task _reader;
    private int _nextId = 1000;
    private int _comments;

    private SseClient(HttpClient http, HttpResponseMessage response, string? token)
    {
        // Each POST on a connection of its own, so behind a round-robin proxy they reach every node in turn.
        NewConnectionPerPost = true;
        _http = http;
        _response = response;
        Token = token;
        _received = new FrameInbox(() => "", () => $"the stream ended ({CloseEvent})");
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>The token every POST carries (as <c>Authorization: Bearer</c>); null for a stream signed in by a cookie.</summary>
    public string? Token { get; }

    /// <summary>Whether each POST asks for its own TCP connection (<c>Connection: close</c>); on by default.</summary>
    public bool NewConnectionPerPost { get; set; }

    /// <summary>The session id from the stream's opening <c>session</c> event.</summary>
    public string Session { get; private set; } = string.Empty;

    /// <summary>The welcome frame.</summary>
    public JsonElement Welcome { get; private set; }

    /// <summary>The <c>{code, reason}</c> of the stream's <c>close</c> event, once it came.</summary>
    public JsonElement? CloseEvent { get; private set; }

    /// <summary>True once the stream ended (closed by the server, cut, or aborted).</summary>
    public bool IsClosed => _received.IsEnded;

    /// <summary>SSE comment lines received (the stream's keep-alive).</summary>
    public int Comments => Volatile.Read(ref _comments);

    /// <summary>The response headers of the stream.</summary>
    public HttpResponseHeaders Headers => _response.Headers;

    /// <summary>The stream's Content-Type.</summary>
    public string? ContentType => _response.Content.Headers.ContentType?.ToString();

    /// <summary>Every frame received so far, in arrival order.</summary>
    public IReadOnlyList<JsonElement> Frames => _received.Frames;

    /// <summary>
    /// Opens a stream at <paramref name="baseAddress"/> with <paramref name="token"/> in the query (or as a bearer header)
    /// and awaits its session and (unless told not to) the welcome. With <paramref name="cookie"/> a <c>Cookie</c> header
    /// goes with the stream and every POST (a session the connect proxy signs in; token null then). <paramref name="query"/>
    /// is added to the stream's query (<c>subscribe=…</c>, say).
    /// </summary>
    public static async Task<SseClient> ConnectAsync(Uri baseAddress, string? token, bool tokenInHeader = false, string? origin = null,
        bool expectWelcome = true, string? cookie = null, string? query = null)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        if (cookie is not null)
        {
            http.DefaultRequestHeaders.Add("Cookie", cookie);
        }
        var (response, status, body) = await OpenAsync(http, token, tokenInHeader, origin, query);
        if (response is null)
        {
            http.Dispose();
            throw new HttpRequestException($"the stream was refused: {status} {body}", null, status);
        }
        var client = new SseClient(http, response, token);
        await client.WaitUntilAsync(() => client.Session.Length > 0, "the session event");
        if (expectWelcome)
        {
            client.Welcome = await client.NextAsync(f => f.Type() == "welcome");
        }
        return client;
    }

    /// <summary>Tries to open a stream and returns the refusal's status and body (0 and empty when it opened; the stream is then closed).</summary>
    public static async Task<(int Status, string Body)> OpenStatusAsync(Uri baseAddress, string? token, bool tokenInHeader = false, string? origin = null)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var (response, status, body) = await OpenAsync(http, token, tokenInHeader, origin);
        response?.Dispose();
        return response is null ? ((int)status, body) : (0, string.Empty);
    }

    private static async Task<(HttpResponseMessage? Response, HttpStatusCode Status, string Body)> OpenAsync(HttpClient http, string? token,
        bool tokenInHeader, string? origin, string? query = null)
    {
        var path = token is null || tokenInHeader ? "/ws/sse" : $"/ws/sse?access_token={Uri.EscapeDataString(token)}";
        if (query is not null)
        {
            path += (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (tokenInHeader && token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }
        using var cts = new CancellationTokenSource(WsClient.DefaultWait);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return (response, response.StatusCode, string.Empty);
        }
        var body = await response.Content.ReadAsStringAsync(cts.Token);
        response.Dispose();
        return (null, response.StatusCode, body);
    }

    /// <summary>POSTs a raw body to this client's session (or <paramref name="session"/>) and returns the status and answer.</summary>
    public async Task<(HttpStatusCode Status, string Body)> PostRawAsync(string body, string? session = null, string? token = null,
        string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        return await PostContentAsync(content, session, token);
    }

    /// <summary>POSTs raw bytes to this client's session (or <paramref name="session"/>).</summary>
    public async Task<(HttpStatusCode Status, string Body)> PostBytesAsync(byte[] body, string? session = null, string? token = null)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await PostContentAsync(content, session, token);
    }

    private async Task<(HttpStatusCode Status, string Body)> PostContentAsync(HttpContent content, string? session, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/ws/sse/{session ?? Session}") { Content = content };
        if ((token ?? Token) is { } bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        request.Headers.ConnectionClose = NewConnectionPerPost;
        using var cts = new CancellationTokenSource(WsClient.DefaultWait);
        using var response = await _http.SendAsync(request, cts.Token);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cts.Token));
    }

    /// <summary>POSTs frames (one, or several as a batch) and requires 202.</summary>
    public async Task SendAsync(params object[] frames)
    {
        var body = frames.Length == 1 ? JsonSerializer.Serialize(frames[0]) : JsonSerializer.Serialize(frames);
        var (status, answer) = await PostRawAsync(body);
        if (status != HttpStatusCode.Accepted)
        {
            throw new HttpRequestException($"POST answered {(int)status}: {answer}", null, status);
        }
    }

    /// <summary>Sends a request and returns its answer (reply or error) by id.</summary>
    public async Task<JsonElement> RequestAsync(string type, object? data = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        await SendAsync(data is null ? new { type, id } : new { type, id, data });
        return await NextAsync(f => f.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt32() == id);
    }

    /// <summary>Sends a request and returns its reply's data; fails on an error.</summary>
    public async Task<JsonElement> OkAsync(string type, object? data = null)
    {
        var answer = await RequestAsync(type, data);
        if (answer.Type() != "reply")
        {
            throw new InvalidOperationException($"'{type}' failed: {answer}");
        }
        return answer.GetProperty("data");
    }

    /// <summary>Subscribes (optionally recovering from <paramref name="since"/>) and returns the reply's data.</summary>
    public Task<JsonElement> SubscribeAsync(string channel, object? since = null) =>
        OkAsync("subscribe", since is null ? new { channel } : new { channel, since });

    /// <summary>Takes the first unconsumed frame matching <paramref name="match"/>, waiting for it if needed.</summary>
    public Task<JsonElement> NextAsync(Func<JsonElement, bool>? match = null, TimeSpan? timeout = null) => _received.NextAsync(match, timeout);

    /// <summary>Takes the next <paramref name="count"/> publications on a channel, in arrival order.</summary>
    public Task<List<JsonElement>> PublicationsAsync(string channel, int count, TimeSpan? timeout = null) =>
        _received.PublicationsAsync(channel, count, timeout);

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking on every event (bounded).</summary>
    public Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? within = null) => _received.WaitUntilAsync(condition, what, within);

    /// <summary>Waits (bounded) until the stream ends; returns its close event's code (null when it ended without one).</summary>
    public async Task<int?> WaitClosedAsync(TimeSpan? timeout = null)
    {
        await _reader.WaitAsync(timeout ?? WsClient.DefaultWait);
        return CloseEvent?.GetProperty("code").GetInt32();
    }

    /// <summary>Ends the stream from this side, as a browser leaving the page does.</summary>
    public void Abort()
    {
        _stop.Cancel();
        _response.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            await using var stream = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            string? eventName = null;
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        Dispatch(eventName, data.ToString());
                    }
                    eventName = null;
                    data.Clear();
                }
                else if (line[0] == ':')
                {
                    Interlocked.Increment(ref _comments);
                    _received.Signal();
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    eventName = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    if (data.Length > 0)
                    {
                        data.Append('\n');
                    }
                    data.Append(line.AsSpan(6));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or HttpRequestException or ObjectDisposedException)
        {
            // Cut, aborted, or disposed.
        }
        finally
        {
            _received.End();
        }
    }

    private void Dispatch(string? eventName, string data)
    {
        var json = JsonDocument.Parse(data).RootElement.Clone();
        switch (eventName)
        {
            case "session":
                Session = json.GetProperty("session").GetString()!;
                _received.Signal();
                break;
            case "close":
                CloseEvent = json;
                _received.Signal();
                break;
            default:
                _received.Add(json);
                break;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // Disposed regardless.
        }
        _response.Dispose();
        _http.Dispose();
        _stop.Dispose();
    }
}
