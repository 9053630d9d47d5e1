using System.Buffers;
using System.Text.Json;

namespace Hubbub.Client;

/// <summary>Builds the client's outgoing frames as UTF-8 bytes.</summary>
internal static class ClientFrames
{
    /// <summary>The answer to the server's heartbeat.</summary>
    public static readonly byte[] Pong = """{"type":"pong"}"""u8.ToArray();

    /// <summary><c>{"type","id","data"}</c>; <paramref name="data"/> is omitted when undefined.</summary>
    public static byte[] Request(string type, long id, JsonElement data)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, type);
            w.WriteNumber("id"u8, id);
            if (data.ValueKind != JsonValueKind.Undefined)
            {
                w.WritePropertyName("data"u8);
                data.WriteTo(w);
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes an object with <c>channel</c> first, then the members of <paramref name="extra"/> (an object or undefined).</summary>
    public static JsonElement WithChannel(string channel, JsonElement extra, Action<Utf8JsonWriter>? more = null)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("channel"u8, channel);
            more?.Invoke(w);
            if (extra.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in extra.EnumerateObject())
                {
                    if (!property.NameEquals("channel"u8))
                    {
                        property.WriteTo(w);
                    }
                }
            }
            w.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
