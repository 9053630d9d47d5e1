using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Hubbub.Protocol;

/// <summary>
/// Writes one node's <c>welcome</c> frames. What every connection of the node is told alike (heartbeat, node, version,
/// limits) is serialized once; a connection's frame writes only its connection id, user, name and expiry around those
/// bytes, in one buffer. The bytes are exactly <see cref="FrameWriter.Simple"/> of a serialized <see cref="WelcomeData"/>
/// (the properties in the same order; a connect wrote two records, two buffers and the data twice before).
/// </summary>
public sealed class WelcomeFrame
{
    // {"client":"","user":"","name":"" — how the serializer begins a welcome whose three strings are empty.
    private static ReadOnlySpan<byte> EmptyStart => "{\"client\":\"\",\"user\":\"\",\"name\":\"\""u8;

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    // ,"heartbeat_ms":…,"node":…,"version":…,"limits":{…} — the serializer's own bytes for this node's constant part.
    private readonly byte[] _constant;

    /// <summary>Serializes the node's constant part once.</summary>
    public WelcomeFrame(int heartbeatMs, string node, string version, WelcomeLimits limits)
    {
        var whole = FrameWriter.Serialize(new WelcomeData("", "", "", heartbeatMs, node, version, limits), HubbubJsonContext.Default.WelcomeData);
        if (!whole.AsSpan().StartsWith(EmptyStart) || whole[^1] != (byte)'}')
        {
            throw new InvalidOperationException("the welcome's serialized form does not begin with client, user and name");
        }
        _constant = whole[EmptyStart.Length..^1];
    }

    /// <summary>The <c>welcome</c> frame of one connection.</summary>
    /// <param name="client">The connection's id.</param>
    /// <param name="user">The user's id.</param>
    /// <param name="name">The user's display name.</param>
    /// <param name="expiresAt">When the connection's token expires (Unix seconds); absent when null.</param>
    /// <param name="more">Fields of this connection's alone after the node's (the subscriptions it asked for in its connect); none when null.</param>
    public byte[] For(string client, string user, string name, long? expiresAt, IWelcomeFields? more = null)
    {
        // Room for the strings as the writer reserves it (3 bytes a char), the structure and an expiry: one array, never grown.
        var buffer = new ArrayBufferWriter<byte>(_constant.Length + 128 + (3 * (client.Length + user.Length + name.Length)));
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, MessageTypes.Welcome);
            w.WritePropertyName("data"u8);
            w.WriteStartObject();
            w.WriteString("client"u8, client);
            w.WriteString("user"u8, user);
            w.WriteString("name"u8, name);
            w.Flush();
            buffer.Write(_constant);
        }
        if (expiresAt is { } expires)
        {
            // Formatted here rather than by the writer, which would ask the buffer for 256 bytes more (a second array) to
            // write a number of at most 20: the same digits (a long's general format is the serializer's).
            buffer.Write(",\"expires_at\":"u8);
            Utf8Formatter.TryFormat(expires, buffer.GetSpan(20), out var digits);
            buffer.Advance(digits);
        }
        if (more is not null)
        {
            // A writer of its own, carried on from the node's constant part: it separates its first field with a comma.
            buffer.Write(","u8);
            using var w = new Utf8JsonWriter(buffer, WriterOptions);
            more.Write(w);
        }
        buffer.Write("}}"u8);
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>Fields a connection's <c>welcome</c> carries beyond the node's (see <see cref="WelcomeFrame.For"/>).</summary>
public interface IWelcomeFields
{
    /// <summary>Writes the fields (property names and values) into the welcome's <c>data</c> object.</summary>
    void Write(Utf8JsonWriter writer);
}
