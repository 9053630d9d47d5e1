using System.Net;
using System.Text.Json;
using Hubbub.Core.Channels;
using Hubbub.Server.Auth;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Access;

/// <summary>
/// Asks the app's backend whether a user may subscribe to (or publish on) a channel:
/// <c>POST {url}</c> with <c>{"user", "channel", "connection", "data"?}</c> (and <c>X-Api-Key</c> when
/// <c>Auth:ApiKey</c> is set, so the backend knows Hubbub asks). <c>200 {"result":"allow"}</c> allows;
/// <c>200 {"result":"refuse"}</c> or <c>403</c> refuses (<c>forbidden</c> to the client). Anything else (no answer in
/// time, unreachable, another status, a body that is not that JSON or too large) fails the request with
/// <c>internal</c> and a reason (<see cref="ProxyFailure"/>), so the client retries rather than giving up.
/// Answers are remembered per user, channel and data for <see cref="ProxyOptions.CacheSeconds"/>.
/// </summary>
internal sealed class ChannelProxy(ProxyCaller caller, ProxyDecisionCache cache, IOptions<AuthOptions> auth)
{
    /// <summary>Whether the backend at <paramref name="url"/> allows <paramref name="access"/>; <paramref name="kind"/> is <c>subscribe</c> or <c>publish</c>.</summary>
    public async ValueTask<bool> AllowsAsync(string kind, Uri url, ChannelAccess access, CancellationToken cancellationToken)
    {
        var data = access.Data.ValueKind is JsonValueKind.Undefined ? null : access.Data.GetRawText();
        // The URL is part of the key: two namespaces may ask two backends.
        var key = string.Join('\n', kind, url.AbsoluteUri, access.User.Id, access.Channel.Value, data);
        if (cache.TryGet(key, out var remembered))
        {
            return remembered;
        }
        var answer = await caller.PostAsync(kind, url, Body(access), Headers(), cancellationToken);
        var allowed = answer.Failure is null ? Judge(answer) : null;
        if (allowed is not { } decision)
        {
            throw ProxyFailure.ToClient(answer.Failure ?? ProxyFailure.BadAnswer);
        }
        cache.Set(key, decision);
        return decision;
    }

    /// <summary>Allow, refuse, or null when the answer is neither.</summary>
    private static bool? Judge(ProxyAnswer answer)
    {
        if (answer.Status == HttpStatusCode.Forbidden)
        {
            return false;
        }
        if (answer.Status != HttpStatusCode.OK)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(answer.Body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("result"u8, out var result)
                && result.ValueKind == JsonValueKind.String
                ? result.GetString() switch
                {
                    "allow" => true,
                    "refuse" => false,
                    _ => null,
                }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[] Body(ChannelAccess access)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("user"u8, access.User.Id);
            w.WriteString("channel"u8, access.Channel.Value);
            if (access.ConnectionId is not null)
            {
                w.WriteString("connection"u8, access.ConnectionId);
            }
            if (access.Data.ValueKind is not JsonValueKind.Undefined)
            {
                w.WritePropertyName("data"u8);
                access.Data.WriteTo(w);
            }
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private IEnumerable<KeyValuePair<string, string>> Headers() =>
        string.IsNullOrEmpty(auth.Value.ApiKey) ? [] : [new(RequestIdentity.ApiKeyHeader, auth.Value.ApiKey)];
}
