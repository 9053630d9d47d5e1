using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Hubbub.Client;

/// <summary>
/// The server's REST API with the same token as the WebSocket (<see cref="HubbubClient.Rest"/>): every call sends
/// <c>Authorization: Bearer</c> with <see cref="HubbubClientOptions.Token"/>, or a fresh one from
/// <see cref="HubbubClientOptions.TokenProvider"/> per call so a refreshed token is used. JSON in, JSON out; an
/// error status throws <see cref="HubbubRestException"/> (code, reason, status), an unreachable or silent server
/// <see cref="HubbubConnectionException"/>.
/// </summary>
/// <example>
/// <code>
/// var created = await client.Rest.PostAsync("/api/conversations", new { participants = new[] { "bob" } });
/// var id = created.GetProperty("id").GetString();
/// </code>
/// </example>
public sealed class HubbubRestClient : IDisposable
{
    private readonly HubbubClientOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    internal HubbubRestClient(HubbubClientOptions options, Uri webSocketUrl)
    {
        _options = options;
        // A base without a trailing slash would lose its last segment when a path is resolved against it.
        BaseUrl = options.RestUrl is { } rest ? new Uri(rest.AbsoluteUri.TrimEnd('/') + "/") : RestUrlFor(webSocketUrl);
        _ownsHttp = options.HttpClient is null;
        // Our own timeout (RequestTimeout, per call) applies; the HttpClient's own stays as the app set it.
        _http = options.HttpClient ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The base every path is appended to, e.g. <c>https://chat.example.com/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The REST base of a WebSocket endpoint: <c>wss://host/prefix/ws</c> → <c>https://host/prefix/</c>.</summary>
    public static Uri RestUrlFor(Uri webSocketUrl)
    {
        ArgumentNullException.ThrowIfNull(webSocketUrl);
        var builder = new UriBuilder(webSocketUrl) { Query = "", Fragment = "" };
        builder.Scheme = builder.Scheme is "wss" or "https" ? "https" : "http";
        var path = builder.Path.TrimEnd('/');
        if (path.EndsWith("/ws", StringComparison.Ordinal))
        {
            path = path[..^3];
        }
        builder.Path = path + "/";
        if (builder.Uri.IsDefaultPort)
        {
            builder.Port = -1;
        }
        return builder.Uri;
    }

    /// <summary><c>GET</c> <paramref name="path"/> (e.g. <c>/api/conversations?limit=10</c>); the answer's JSON (undefined when empty).</summary>
    public Task<JsonElement> GetAsync(string path, CancellationToken ct = default) => SendAsync(HttpMethod.Get, path, default, ct);

    /// <summary><c>POST</c> <paramref name="body"/> serialized by <see cref="HubbubClientOptions.JsonOptions"/>.</summary>
    public Task<JsonElement> PostAsync<TBody>(string path, TBody body, CancellationToken ct = default) => SendAsync(HttpMethod.Post, path, ToJson(body), ct);

    /// <summary><c>PUT</c> <paramref name="body"/> serialized by <see cref="HubbubClientOptions.JsonOptions"/>.</summary>
    public Task<JsonElement> PutAsync<TBody>(string path, TBody body, CancellationToken ct = default) => SendAsync(HttpMethod.Put, path, ToJson(body), ct);

    /// <summary><c>PATCH</c> <paramref name="body"/> serialized by <see cref="HubbubClientOptions.JsonOptions"/>.</summary>
    public Task<JsonElement> PatchAsync<TBody>(string path, TBody body, CancellationToken ct = default) => SendAsync(HttpMethod.Patch, path, ToJson(body), ct);

    /// <summary><c>DELETE</c> <paramref name="path"/>.</summary>
    public Task<JsonElement> DeleteAsync(string path, CancellationToken ct = default) => SendAsync(HttpMethod.Delete, path, default, ct);

    /// <summary>
    /// Any call: <paramref name="body"/> is sent as JSON unless it is undefined (<c>default</c>). Returns the answer's
    /// JSON, or an undefined element when the answer is empty (e.g. 204).
    /// </summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, JsonElement body, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!path.StartsWith('/'))
        {
            throw new ArgumentException("A path starts with '/', e.g. /api/conversations.", nameof(path));
        }
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var token = _options.TokenProvider is { } provider ? await provider(linked.Token) : _options.Token;

        using var request = new HttpRequestMessage(method, new Uri(BaseUrl, path.TrimStart('/')));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body.ValueKind != JsonValueKind.Undefined)
        {
            request.Content = new StringContent(body.GetRawText(), Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        string text;
        try
        {
            response = await _http.SendAsync(request, linked.Token);
            text = await response.Content.ReadAsStringAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new HubbubConnectionException($"no answer to {method} {path} within {_options.RequestTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            throw new HubbubConnectionException($"{method} {path} failed: {ex.Message}", ex);
        }
        using (response)
        {
            var json = Parse(text);
            if (response.IsSuccessStatusCode)
            {
                return json;
            }
            throw new HubbubRestException(
                StringField(json, "code") ?? CodeFor(response.StatusCode),
                StringField(json, "reason"),
                StringField(json, "message") ?? $"{method} {path} answered {(int)response.StatusCode}",
                response.StatusCode, method.Method, path);
        }
    }

    /// <summary>Disposes the HttpClient if the SDK created it (not one given in <see cref="HubbubClientOptions.HttpClient"/>).</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private JsonElement ToJson<TBody>(TBody body) =>
        body is JsonElement element ? element : JsonSerializer.SerializeToElement(body, _options.JsonOptions);

    private static JsonElement Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return default;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default; // not JSON (e.g. a proxy's HTML error page): the status speaks instead
        }
    }

    private static string? StringField(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The protocol's error code for a status, for error answers without a JSON body.</summary>
    private static string CodeFor(HttpStatusCode status) => (int)status switch
    {
        400 or 415 or 422 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        413 => "too_large",
        429 => "rate_limited",
        _ => "internal",
    };
}
