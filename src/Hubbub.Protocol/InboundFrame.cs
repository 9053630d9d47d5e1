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
    /// Another top-level member, read only when asked (a message-shaped <c>publish</c> names its <c>event</c> beside
    /// <c>channel</c>); <see cref="JsonValueKind.Undefined"/> when absent. Valid until the frame is disposed.
    /// </summary>
    public JsonElement TopLevel(ReadOnlySpan<byte> name) => _document.RootElement.TryGetProperty(name, out var value) ? value : default;

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
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException)
        {
            // The frame's id is still answered when it can be read: a caller waiting on it hears why, not a timeout.
            var deep = TryReadIdBeyondDepth(utf8.Span, out rawId);
            error = deep ? $"frame is nested deeper than {MaxDepth} levels" : "frame is not valid JSON";
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

        // Checked on the bytes, not per field: a publication's data goes on as the client sent it, never decoded here.
        if (utf8.Span.Contains((byte)'\\') && JsonEscapes.HasLoneSurrogate(utf8.Span))
        {
            document.Dispose();
            error = "frame escapes a lone surrogate (such as \\ud800), which is not valid Unicode";
            return null;
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

    /// <summary>How deep a frame may nest (objects and arrays); deeper is refused, its id answered.</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// Reads a frame that failed to parse once more, without the depth bound: true when it is valid JSON (so only too
    /// deep), with its top-level <c>id</c> when it has a number or string one. The reader walks the bytes without
    /// recursion, so a hostile depth costs a bit per level, nothing more.
    /// </summary>
    private static bool TryReadIdBeyondDepth(ReadOnlySpan<byte> utf8, out string? rawId)
    {
        rawId = null;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = int.MaxValue });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            string? id = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId && reader.TokenType is JsonTokenType.Number or JsonTokenType.String)
                {
                    id = System.Text.Encoding.UTF8.GetString(utf8.Slice((int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex)));
                }
                reader.Skip();
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false;
            }
            rawId = id;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

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
