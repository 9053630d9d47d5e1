using System.Net;
using System.Text.Json;
using Hubbub.Core;
using Hubbub.Core.Channels;
using Hubbub.Features.Kit.Text;
using Hubbub.Server.Auth;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Access;

/// <summary>How the app's backend answered a connect proxy call.</summary>
internal enum ConnectVerdict
{
    /// <summary>Signed in: <see cref="ConnectResult.User"/> holds who.</summary>
    Allowed,

    /// <summary>The backend refused (401 or 403): the upgrade gets 401.</summary>
    Refused,

    /// <summary>No usable answer (timeout, unreachable, garbage): the upgrade gets 503, the client retries.</summary>
    Failed,
}

/// <summary>A connect proxy's verdict and, when allowed, the user.</summary>
internal readonly record struct ConnectResult(ConnectVerdict Verdict, HubbubUser? User);

/// <summary>
/// Signs in a <c>/ws</c> upgrade (or a request of the HTTP fallback) without a token through the app's own session:
/// <c>POST {Hubbub:Proxy:ConnectUrl}</c> with the request's <see cref="ProxyOptions.ConnectHeaders"/> (its <c>Cookie</c>,
/// say) as they came, and the body <c>{"transport":"websocket"}</c> (<c>"sse"</c> for the fallback). <c>200 {"user", "name"?, "roles"?, "channels"?, "expires_at"?}</c> signs the user in
/// (held to the same rules as a token's claims); 401 or 403 refuses (401 before the upgrade); anything else fails (503).
/// </summary>
internal sealed class ConnectProxy(ProxyCaller caller, IOptions<ProxyOptions> options, IOptions<AuthOptions> auth, TimeProvider time)
{
    /// <summary>The transport named to the backend for a WebSocket upgrade.</summary>
    public const string WebSocket = "websocket";

    /// <summary>The transport named for the HTTP fallback's stream and posts (<c>/ws/sse</c>).</summary>
    public const string EventStream = "sse";

    private static readonly byte[] WebSocketBody = """{"transport":"websocket"}"""u8.ToArray();
    private static readonly byte[] EventStreamBody = """{"transport":"sse"}"""u8.ToArray();

    /// <summary>The configured URL, or null when no connect proxy is configured.</summary>
    public Uri? Url { get; } = Uri.TryCreate(options.Value.ConnectUrl, UriKind.Absolute, out var url) ? url : null;

    /// <summary>
    /// Signs in a request that carries no token at all through the backend; null when no connect proxy is configured or
    /// the request names a token (valid or not, the token alone decides then).
    /// </summary>
    public async Task<ConnectResult?> SignInWithoutTokenAsync(HttpRequest request, string transport) =>
        Url is null || SocketAuthenticator.TokenOf(request.QueryString.Value, request.Headers.Authorization.ToString()) is not null
            ? null
            : await AuthenticateAsync(request, transport);

    /// <summary>Asks the backend who <paramref name="request"/> signs in.</summary>
    private async Task<ConnectResult> AuthenticateAsync(HttpRequest request, string transport)
    {
        if (Url is null)
        {
            return new ConnectResult(ConnectVerdict.Refused, null);
        }
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var name in options.Value.ConnectHeaders)
        {
            if (request.Headers.TryGetValue(name, out var values) && values.Count > 0)
            {
                headers.Add(new(name, values.ToString()));
            }
        }
        if (!string.IsNullOrEmpty(auth.Value.ApiKey))
        {
            headers.Add(new(RequestIdentity.ApiKeyHeader, auth.Value.ApiKey));
        }
        var body = transport == EventStream ? EventStreamBody : WebSocketBody;
        var answer = await caller.PostAsync("connect", Url, body, headers, CancellationToken.None);
        if (answer.Failure is not null)
        {
            return new ConnectResult(ConnectVerdict.Failed, null);
        }
        if (answer.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return new ConnectResult(ConnectVerdict.Refused, null);
        }
        if (answer.Status != HttpStatusCode.OK || Read(answer.Body) is not { } user)
        {
            return new ConnectResult(ConnectVerdict.Failed, null);
        }
        return user.ExpiresAt is { } expiresAt && expiresAt <= time.GetUtcNow()
            ? new ConnectResult(ConnectVerdict.Refused, null)
            : new ConnectResult(ConnectVerdict.Allowed, user);
    }

    /// <summary>The user of an answer body, or null when it breaks the shape or the claim rules.</summary>
    private static HubbubUser? Read(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("user"u8, out var userElement) || userElement.ValueKind != JsonValueKind.String
                || userElement.GetString() is not { } id || !UserIds.IsValid(id))
            {
                return null;
            }
            var name = id;
            if (root.TryGetProperty("name"u8, out var nameElement) && nameElement.ValueKind != JsonValueKind.Null)
            {
                if (nameElement.ValueKind != JsonValueKind.String || !DisplayNames.IsValid(nameElement.GetString()!))
                {
                    return null;
                }
                name = nameElement.GetString() is { Length: > 0 } given && !string.IsNullOrWhiteSpace(given) ? given : id;
            }
            if (Strings(root, "roles"u8, _ => true) is not { } roles
                || Strings(root, "channels"u8, ChannelGrants.IsValidPattern) is not { } channels
                || channels.Length > ChannelGrants.MaxEntries)
            {
                return null;
            }
            DateTimeOffset? expiresAt = null;
            if (root.TryGetProperty("expires_at"u8, out var expires) && expires.ValueKind != JsonValueKind.Null)
            {
                if (!expires.TryGetInt64(out var seconds) || seconds is <= 0 or > 253402300799)
                {
                    return null;
                }
                expiresAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
            }
            return new HubbubUser(id, name, roles) { Channels = channels, ExpiresAt = expiresAt };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>An optional property that is one string or an array of strings, each passing <paramref name="valid"/>; null when it is neither.</summary>
    private static string[]? Strings(JsonElement root, ReadOnlySpan<byte> property, Func<string, bool> valid)
    {
        if (!root.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            return valid(value.GetString()!) ? [value.GetString()!] : null;
        }
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > ChannelGrants.MaxEntries)
        {
            return null;
        }
        var items = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !valid(item.GetString()!))
            {
                return null;
            }
            items.Add(item.GetString()!);
        }
        return [.. items];
    }
}
