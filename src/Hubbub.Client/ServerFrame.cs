using System.Text.Json;
using Hubbub.Protocol;

namespace Hubbub.Client;

/// <summary>
/// A parsed server frame: <c>{"type","id"?,"channel"?,"offset"?,"data"?,"from"?}</c>. <see cref="Data"/> is
/// cloned out of the parse buffer so it outlives the frame and can be handed to the app.
/// </summary>
internal sealed record ServerFrame(string Type, long? Id, string? Channel, long? Offset, JsonElement Data, ClientInfo? From)
{
    /// <summary>Parses one frame; null when it is not an object with a string <c>type</c> (the client ignores those).</summary>
    public static ServerFrame? TryParse(ReadOnlyMemory<byte> utf8)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type"u8, out var t) || t.ValueKind != JsonValueKind.String)
            {
                return null;
            }
            long? id = root.TryGetProperty("id"u8, out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt64(out var n) ? n : null;
            string? channel = root.TryGetProperty("channel"u8, out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            long? offset = root.TryGetProperty("offset"u8, out var o) && o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out var off) ? off : null;
            var data = root.TryGetProperty("data"u8, out var d) ? d.Clone() : default;
            ClientInfo? from = null;
            if (root.TryGetProperty("from"u8, out var f) && f.ValueKind == JsonValueKind.Object
                && f.TryGetProperty("user"u8, out var u) && u.ValueKind == JsonValueKind.String)
            {
                var name = f.TryGetProperty("name"u8, out var nm) && nm.ValueKind == JsonValueKind.String ? nm.GetString()! : u.GetString()!;
                from = new ClientInfo(u.GetString()!, name);
            }
            return new ServerFrame(t.GetString()!, id, channel, offset, data, from);
        }
    }
}
