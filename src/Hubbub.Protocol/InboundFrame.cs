using System.Text.Json;

namespace Hubbub.Protocol;

/// <summary>
/// A parsed client frame: <c>{"type", "id"?, "channel"?, "data"?}</c>. Owns the parsed document, so
/// <see cref="Data"/> is valid until the frame is disposed.
/// </summary>
public sealed class InboundFrame : IDisposable
{
    private readonly JsonDocument _document;

    private InboundFrame(JsonDocument document, string type, string? rawId, string? channel, JsonElement data)
    {
        _document = document;
        Type = type;
        RawId = rawId;
        Channel = channel;
        Data = data;
    }

    /// <summary>The message type.</summary>
    public string Type { get; }

    /// <summary>The request id exactly as the client wrote it (a JSON number or string), or null.</summary>
    public string? RawId { get; }

    /// <summary>The top-level <c>channel</c>, when a client put it beside <c>data</c> instead of inside it.</summary>
    public string? Channel { get; }

    /// <summary>The <c>data</c> member; <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    public JsonElement Data { get; }

    /// <summary>
    /// Parses one frame. On failure returns null with a human-readable <paramref name="error"/> and, when the
    /// frame got far enough to show one, the request id so the error can answer it.
    /// </summary>
    public static InboundFrame? TryParse(ReadOnlyMemory<byte> utf8, out string? error, out string? rawId)
    {
        rawId = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException)
        {
            error = "frame is not valid JSON";
            return null;
        }

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            error = "frame must be a JSON object";
            return null;
        }

        if (root.TryGetProperty("id"u8, out var id))
        {
            if (id.ValueKind is JsonValueKind.Number or JsonValueKind.String)
            {
                rawId = id.GetRawText();
            }
            else if (id.ValueKind != JsonValueKind.Null)
            {
                document.Dispose();
                error = "id must be a number or a string";
                return null;
            }
        }

        if (!root.TryGetProperty("type"u8, out var type) || type.ValueKind != JsonValueKind.String
            || (KnownType(type) ?? type.GetString()) is not { Length: > 0 } typeName)
        {
            document.Dispose();
            error = "frame needs a string field 'type'";
            return null;
        }

        string? channel = null;
        if (root.TryGetProperty("channel"u8, out var channelElement))
        {
            if (channelElement.ValueKind != JsonValueKind.String)
            {
                document.Dispose();
                error = "channel must be a string";
                return null;
            }
            channel = channelElement.GetString();
        }

        var data = root.TryGetProperty("data"u8, out var d) ? d : default;
        error = null;
        return new InboundFrame(document, typeName, rawId, channel, data);
    }

    /// <inheritdoc />
    public void Dispose() => _document.Dispose();

    /// <summary>The core request types, matched without allocating a string for each frame.</summary>
    private static readonly (byte[] Utf8, string Name)[] KnownTypes =
        [.. new[] { MessageTypes.Ping, MessageTypes.Publish, MessageTypes.Subscribe, MessageTypes.Unsubscribe, MessageTypes.Pong,
            MessageTypes.History, MessageTypes.Presence, MessageTypes.Typing, MessageTypes.Cursor, MessageTypes.Refresh }
            .Select(name => (System.Text.Encoding.UTF8.GetBytes(name), name))];

    private static string? KnownType(JsonElement type)
    {
        foreach (var (utf8, name) in KnownTypes)
        {
            if (type.ValueEquals(utf8))
            {
                return name;
            }
        }
        return null;
    }
}
