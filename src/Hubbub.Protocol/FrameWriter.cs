using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Hubbub.Protocol;

/// <summary>
/// Builds outgoing frames as UTF-8 bytes. Every frame is written once; fan-out sends the same array to
/// every subscriber.
/// </summary>
public static class FrameWriter
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = false };

    /// <summary><c>{"type":"reply","id":…,"data":…}</c>.</summary>
    public static byte[] Reply<T>(string? rawId, T data, JsonTypeInfo<T> typeInfo) =>
        Write(w =>
        {
            w.WriteString("type"u8, MessageTypes.Reply);
            WriteId(w, rawId);
            w.WritePropertyName("data"u8);
            JsonSerializer.Serialize(w, data, typeInfo);
        });

    /// <summary>
    /// <c>{"type":"reply","id":…,"data":{"offset":…}}</c>, the reply to <c>publish</c> (the same bytes as
    /// <see cref="Reply{T}"/> with a <see cref="PublishReply"/>, written without the serializer and its delegate).
    /// </summary>
    public static byte[] OffsetReply(string? rawId, long offset)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, MessageTypes.Reply);
            WriteId(w, rawId);
            w.WritePropertyName("data"u8);
            w.WriteStartObject();
            w.WriteNumber("offset"u8, offset);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>{"type":"reply","id":…,"data":RAW}</c> with data already serialized.</summary>
    public static byte[] ReplyRaw(string? rawId, ReadOnlySpan<byte> rawData)
    {
        var buffer = new ArrayBufferWriter<byte>(rawData.Length + 48);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, MessageTypes.Reply);
            WriteId(w, rawId);
            w.WritePropertyName("data"u8);
            w.WriteRawValue(rawData, skipInputValidation: true);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <c>{"type":"error","id"?:…,"data":{"code","message","reason"?}}</c>: <paramref name="reason"/> (a feature's refusal,
    /// <c>module_locked</c>) only when given, as REST answers it.
    /// </summary>
    public static byte[] Error(string? rawId, string code, string message, string? reason = null) =>
        Write(w =>
        {
            w.WriteString("type"u8, MessageTypes.Error);
            WriteId(w, rawId);
            w.WritePropertyName("data"u8);
            WriteErrorBody(w, code, message, reason);
        });

    /// <summary>An error's body, <c>{"code","message","reason"?}</c>, as an <c>error</c> frame's <c>data</c> carries it.</summary>
    public static void WriteErrorBody(Utf8JsonWriter writer, string code, string message, string? reason)
    {
        writer.WriteStartObject();
        writer.WriteString("code"u8, code);
        writer.WriteString("message"u8, message);
        if (reason is not null)
        {
            writer.WriteString("reason"u8, reason);
        }
        writer.WriteEndObject();
    }

    /// <summary>
    /// A channel event: <c>{"type","channel","offset"?,"data","from"?}</c>. <paramref name="offset"/> is null
    /// for ephemeral events (typing, cursor, presence).
    /// </summary>
    public static byte[] ChannelEvent(string type, string channel, long? offset, ReadOnlySpan<byte> rawData, ClientInfo? from)
    {
        var buffer = new ArrayBufferWriter<byte>(rawData.Length + channel.Length + 96);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, type);
            w.WriteString("channel"u8, channel);
            if (offset is { } o)
            {
                w.WriteNumber("offset"u8, o);
            }
            w.WritePropertyName("data"u8);
            if (rawData.IsEmpty)
            {
                w.WriteNullValue();
            }
            else
            {
                w.WriteRawValue(rawData, skipInputValidation: true);
            }
            if (from is not null)
            {
                w.WritePropertyName("from"u8);
                w.WriteStartObject();
                w.WriteString("user"u8, from.User);
                w.WriteString("name"u8, from.Name);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The length of <see cref="ChannelEvent"/>'s frame without writing it, when none of its strings needs escaping (printable
    /// ASCII other than what the default encoder escapes: the usual event types, channels and names); null otherwise. Lets a
    /// publication that may never be sent (a user channel nobody follows) count its history bytes without building it.
    /// </summary>
    public static int? ChannelEventLength(string type, string channel, long? offset, int rawDataLength, ClientInfo? from)
    {
        if (!Plain(type) || !Plain(channel) || (from is not null && (!Plain(from.User) || !Plain(from.Name))))
        {
            return null;
        }
        // {"type":"…","channel":"…","offset":…,"data":…,"from":{"user":"…","name":"…"}}
        var length = 1 + 7 + type.Length + 2 + 11 + channel.Length + 2 + 8 + (rawDataLength == 0 ? 4 : rawDataLength) + 1;
        if (offset is { } o)
        {
            Span<char> digits = stackalloc char[20];
            o.TryFormat(digits, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
            length += 10 + written;
        }
        if (from is not null)
        {
            length += 8 + 1 + 7 + from.User.Length + 2 + 8 + from.Name.Length + 2 + 1;
        }
        return length;
    }

    // Written as they are by the default encoder: printable ASCII but its HTML-sensitive characters, the quote and backslash.
    private static bool Plain(string text)
    {
        foreach (var c in text)
        {
            if (c < 0x20 || c > 0x7E || c is '"' or '\\' or '&' or '\'' or '<' or '>' or '+' or '`')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// <c>{"type":"stream_reset","channel","data":{"epoch","offset"}}</c>: publications the subscriber should have
    /// had will never reach it (the stream restarted under a new epoch, or this node missed publications history
    /// no longer holds). Delivery goes on gap-free after <paramref name="offset"/> of <paramref name="epoch"/>; the
    /// client should reload its state.
    /// </summary>
    public static byte[] StreamReset(string channel, string epoch, long offset)
    {
        var data = JsonSerializer.SerializeToUtf8Bytes(new StreamResetData(epoch, offset), HubbubJsonContext.Default.StreamResetData);
        return ChannelEvent(MessageTypes.StreamReset, channel, null, data, null);
    }

    /// <summary><c>{"type":"presence_join"|"presence_leave","channel","data":{"user","name"}}</c>.</summary>
    public static byte[] Presence(string type, string channel, ClientInfo user) =>
        ChannelEvent(type, channel, null, Serialize(user, HubbubJsonContext.Default.ClientInfo), null);

    /// <summary>
    /// <c>{"type":"unsubscribed","channel","data":{"reason"}}</c>: the server ended the subscription because the
    /// user lost access; the client must not resubscribe.
    /// </summary>
    public static byte[] Unsubscribed(string channel, string reason)
    {
        var data = JsonSerializer.SerializeToUtf8Bytes(new UnsubscribedData(reason), HubbubJsonContext.Default.UnsubscribedData);
        return ChannelEvent(MessageTypes.Unsubscribed, channel, null, data, null);
    }

    /// <summary>A frame with a type and optional id and data, e.g. <c>pong</c> or <c>welcome</c>.</summary>
    public static byte[] Simple(string type, string? rawId, ReadOnlySpan<byte> rawData)
    {
        var buffer = new ArrayBufferWriter<byte>(rawData.Length + 48);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, type);
            WriteId(w, rawId);
            if (!rawData.IsEmpty)
            {
                w.WritePropertyName("data"u8);
                w.WriteRawValue(rawData, skipInputValidation: true);
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serializes a value with the protocol's source-generated context.</summary>
    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    private static void WriteId(Utf8JsonWriter w, string? rawId)
    {
        if (rawId is null)
        {
            return;
        }
        w.WritePropertyName("id"u8);
        w.WriteRawValue(rawId, skipInputValidation: true);
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        // 256: a Utf8JsonWriter asks its buffer for 256 free bytes at its first write, so a smaller one is grown at once.
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
