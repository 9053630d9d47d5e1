using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Hubbub.Core.Seams;
using Hubbub.Protocol;

namespace Hubbub.Redis;

/// <summary>
/// The bytes Hubbub puts in Redis. Strings are length-prefixed (4-byte little-endian length, UTF-8), so user ids
/// and names may contain any character. Pub/sub messages start with a kind byte:
/// <c>p&lt;offset&gt;:&lt;epoch&gt;:&lt;publication&gt;</c> (the offset and epoch are written by publish.lua) or
/// <c>e&lt;ephemeral event&gt;</c>.
/// </summary>
internal static class MessageCodec
{
    public const byte PublicationKind = (byte)'p';
    public const byte EphemeralKind = (byte)'e';

    /// <summary>A publication as stored in the stream: flags, event, [user, name], then the data bytes.</summary>
    public static byte[] EncodeDraft(PublicationDraft draft)
    {
        var buffer = new ArrayBufferWriter<byte>(draft.Data.Length + 64);
        buffer.Write([(byte)(draft.From is null ? 0 : 1)]);
        WriteString(buffer, draft.Event);
        if (draft.From is { } from)
        {
            WriteString(buffer, from.User);
            WriteString(buffer, from.Name);
        }
        buffer.Write(draft.Data.Span);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reverses <see cref="EncodeDraft"/>; the data is a slice of <paramref name="bytes"/>, not a copy.</summary>
    public static PublicationDraft DecodeDraft(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        var flags = span[0];
        var position = 1;
        var eventType = ReadString(span, ref position);
        ClientInfo? from = null;
        if ((flags & 1) != 0)
        {
            var user = ReadString(span, ref position);
            var name = ReadString(span, ref position);
            from = new ClientInfo(user, name);
        }
        return new PublicationDraft(eventType, bytes[position..], from);
    }

    /// <summary>Parses a pub/sub publication message <c>p&lt;offset&gt;:&lt;epoch&gt;:&lt;payload&gt;</c>.</summary>
    public static (long Offset, string Epoch, PublicationDraft Draft) DecodePublished(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        var first = span.IndexOf((byte)':');
        var second = first < 0 ? -1 : span[(first + 1)..].IndexOf((byte)':');
        if (span.Length == 0 || span[0] != PublicationKind || first < 2 || second < 1)
        {
            throw new FormatException("not a Hubbub publication message");
        }
        var offset = long.Parse(span[1..first], NumberStyles.None, CultureInfo.InvariantCulture);
        var epoch = Encoding.UTF8.GetString(span.Slice(first + 1, second));
        return (offset, epoch, DecodeDraft(message[(first + 2 + second)..]));
    }

    /// <summary>
    /// An ephemeral event: kind, flags, [excluded user], [excluded connection], [evicted user], [typist's user, name
    /// and a 0/1 byte], then the frame.
    /// </summary>
    public static byte[] EncodeEphemeral(EphemeralEvent ephemeral)
    {
        var buffer = new ArrayBufferWriter<byte>(ephemeral.Frame.Length + 48);
        var flags = (byte)((ephemeral.ExcludeUser is null ? 0 : 1) | (ephemeral.ExcludeConnection is null ? 0 : 2)
            | (ephemeral.EvictUser is null ? 0 : 4) | (ephemeral.Typing is null ? 0 : 8));
        buffer.Write([EphemeralKind, flags]);
        if (ephemeral.ExcludeUser is { } user)
        {
            WriteString(buffer, user);
        }
        if (ephemeral.ExcludeConnection is { } connection)
        {
            WriteString(buffer, connection);
        }
        if (ephemeral.EvictUser is { } evicted)
        {
            WriteString(buffer, evicted);
        }
        if (ephemeral.Typing is { } typing)
        {
            WriteString(buffer, typing.User.User);
            WriteString(buffer, typing.User.Name);
            buffer.Write([(byte)(typing.IsTyping ? 1 : 0)]);
        }
        buffer.Write(ephemeral.Frame);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reverses <see cref="EncodeEphemeral"/>.</summary>
    public static EphemeralEvent DecodeEphemeral(ReadOnlySpan<byte> message)
    {
        if (message.Length < 2 || message[0] != EphemeralKind)
        {
            throw new FormatException("not a Hubbub ephemeral message");
        }
        var flags = message[1];
        var position = 2;
        var user = (flags & 1) != 0 ? ReadString(message, ref position) : null;
        var connection = (flags & 2) != 0 ? ReadString(message, ref position) : null;
        var evicted = (flags & 4) != 0 ? ReadString(message, ref position) : null;
        TypingState? typing = null;
        if ((flags & 8) != 0)
        {
            var typist = ReadString(message, ref position);
            var name = ReadString(message, ref position);
            typing = new TypingState(new ClientInfo(typist, name), message[position++] == 1);
        }
        return new EphemeralEvent(message[position..].ToArray(), user, connection, evicted, typing);
    }

    /// <summary>
    /// A presence entry: <c>&lt;bytes&gt;:&lt;user&gt;&lt;bytes&gt;:&lt;name&gt;&lt;since ms&gt;</c>, lengths in UTF-8 bytes
    /// so the Lua scripts (which count bytes) can read the user.
    /// </summary>
    public static string EncodePresence(string user, string name, DateTimeOffset since) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Encoding.UTF8.GetByteCount(user)}:{user}{Encoding.UTF8.GetByteCount(name)}:{name}{since.ToUnixTimeMilliseconds()}");

    /// <summary>Reverses <see cref="EncodePresence"/>.</summary>
    public static (string User, string Name, DateTimeOffset Since) DecodePresence(ReadOnlySpan<byte> entry)
    {
        var position = 0;
        var user = ReadCounted(entry, ref position);
        var name = ReadCounted(entry, ref position);
        var since = long.Parse(entry[position..], NumberStyles.None, CultureInfo.InvariantCulture);
        return (user, name, DateTimeOffset.FromUnixTimeMilliseconds(since));
    }

    private static string ReadCounted(ReadOnlySpan<byte> entry, ref int position)
    {
        var colon = entry[position..].IndexOf((byte)':');
        if (colon < 0)
        {
            throw new FormatException("malformed presence entry");
        }
        var length = int.Parse(entry.Slice(position, colon), NumberStyles.None, CultureInfo.InvariantCulture);
        var start = position + colon + 1;
        if (length < 0 || start + length > entry.Length)
        {
            throw new FormatException("malformed presence entry");
        }
        position = start + length;
        return Encoding.UTF8.GetString(entry.Slice(start, length));
    }

    internal static void WriteString(ArrayBufferWriter<byte> buffer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var span = buffer.GetSpan(4 + length);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        Encoding.UTF8.GetBytes(value, span[4..]);
        buffer.Advance(4 + length);
    }

    internal static string ReadString(ReadOnlySpan<byte> span, ref int position)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(span[position..]);
        if (length < 0 || position + 4 + length > span.Length)
        {
            throw new FormatException("malformed string in a Hubbub message");
        }
        var value = Encoding.UTF8.GetString(span.Slice(position + 4, length));
        position += 4 + length;
        return value;
    }
}
