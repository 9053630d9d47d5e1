using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using Hubbub.Core;
using Hubbub.Protocol;

namespace Hubbub.Features.Kit.Http;

/// <summary>
/// Reads a JSON request body with a size bound, refusing in the protocol's terms (<c>bad_request</c>,
/// <c>too_large</c>) rather than the framework's, so REST errors are always <c>{"code","message"}</c> and no body,
/// however malformed, gets a 500.
/// </summary>
internal static class JsonBody
{
    /// <summary>
    /// How deep a body may nest: what its WebSocket form may carry, since a body travels there as the frame's
    /// <c>data</c> (a feature's command, and <c>publish</c>'s <c>{channel, data}</c>), one level below the frame
    /// (<see cref="InboundFrame.MaxDepth"/>). The same body is refused or taken the same way on both.
    /// </summary>
    public const int MaxDepth = InboundFrame.MaxDepth - 1;

    /// <summary>
    /// Reads the body; an empty one is refused, or read as <c>{}</c> when <paramref name="optional"/>; nested deeper
    /// than <paramref name="maxDepth"/> (default <see cref="MaxDepth"/>) is <c>bad_request</c> saying so.
    /// </summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> info, int maxBytes, CancellationToken ct, bool optional = false,
        int maxDepth = MaxDepth)
    {
        var body = await BoundedBody.ReadAsync(request, maxBytes, ct);
        if (body.Length == 0)
        {
            body = optional ? "{}"u8.ToArray() : throw HubbubException.BadRequest("a JSON body is required");
        }
        // The JSON reader passes invalid UTF-8 inside a string it is not asked to decode (it would come back as U+FFFD);
        // JSON text is UTF-8, so the whole body is checked up front.
        if (!Utf8.IsValid(body))
        {
            throw HubbubException.BadRequest("the body is not valid UTF-8");
        }
        // "\ud800" is JSON grammar but no Unicode: refused wherever it is, even in a member the type would skip.
        if (JsonEscapes.HasLoneSurrogate(body))
        {
            throw HubbubException.BadRequest("the body escapes a lone surrogate (such as \\ud800), which is not valid Unicode");
        }
        if (IsDeeperThan(body, maxDepth))
        {
            throw HubbubException.BadRequest($"the body is nested deeper than {maxDepth} levels");
        }
        try
        {
            return JsonSerializer.Deserialize(body, info)
                ?? throw HubbubException.BadRequest("the body must be a JSON object");
        }
        catch (JsonException refused)
        {
            // Also: numbers out of range, strings that escape a lone surrogate ("\ud800").
            // Where the reader was names the field ({"hidden": "no"} → at 'hidden'), so a caller knows what to fix.
            throw HubbubException.BadRequest("the body is not valid JSON of the expected shape" + Where(refused.Path));
        }
    }

    /// <summary>
    /// Whether JSON nests objects and arrays more than <paramref name="maxDepth"/> levels (<c>{}</c> is one). The reader
    /// walks the bytes without recursion, so a hostile depth costs a bit per level; malformed JSON answers false and is
    /// refused by the parse that follows, with its own reason.
    /// </summary>
    internal static bool IsDeeperThan(ReadOnlySpan<byte> json, int maxDepth)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = int.MaxValue });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= maxDepth)
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
        }
        return false;
    }

    /// <summary><c> (at 'events[1].id')</c> for the reader's path <c>$.events[1].id</c>; nothing at the top level.</summary>
    internal static string Where(string? path) =>
        path is { Length: > 2 and <= 100 } && path.StartsWith("$.", StringComparison.Ordinal) ? $" (at '{path[2..]}')" : "";

    /// <summary>
    /// The UTF-8 JSON of a value read from a body (e.g. the <c>data</c> to publish). A string escaping a lone surrogate
    /// (<c>"\ud800"</c>) parses but has no UTF-8 form: it is refused with <c>bad_request</c>, as over the WebSocket.
    /// </summary>
    public static byte[] Utf8Of(JsonElement value, string field)
    {
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(value, HubbubJsonContext.Default.JsonElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw HubbubException.BadRequest($"'{field}' holds a string that is not valid Unicode (a lone surrogate such as \\ud800)");
        }
    }
}
