using System.Text.Json;
using Hubbub.Features.Kit.Text;

namespace Hubbub.Features.Kit.Outbox;

/// <summary>
/// The <c>data</c> of an <see cref="OutboxRow.Batch"/> row: its publications in order, as a JSON array of
/// <c>{"c": channel, "e": event type, "d": data}</c>, with <c>"k": "unsubscribe"</c> and <c>"t": user</c> for an end of
/// subscriptions. A publication's data (always JSON the kit serialized) is kept as it is, not escaped into a string, so
/// the row is about the size of its publications and reads back byte for byte.
/// </summary>
internal static class OutboxEntries
{
    /// <summary>The JSON array of <paramref name="entries"/>, as text (a batch row handed back with what it still owes).</summary>
    public static string Write(IReadOnlyList<OutboxRow> entries) => JsonText.Write(entries, SizeOf(entries), WriteArray);

    /// <summary>
    /// The JSON array of <paramref name="entries"/> as UTF-8, the form the transaction's insert binds (on SQLite as bytes the
    /// statement casts to text: a string would be encoded to UTF-8 once more for the bind). The same bytes as <see cref="Write"/>'s text.
    /// </summary>
    public static byte[] WriteUtf8(IReadOnlyList<OutboxRow> entries) => JsonText.WriteUtf8(entries, SizeOf(entries), WriteArray);

    private static void WriteArray(Utf8JsonWriter writer, IReadOnlyList<OutboxRow> entries)
    {
        writer.WriteStartArray();
        foreach (var entry in entries)
        {
            writer.WriteStartObject();
            if (entry.Kind != OutboxRow.Publish)
            {
                writer.WriteString("k", entry.Kind);
            }
            writer.WriteString("c", entry.Channel);
            if (entry.EventType is { } eventType)
            {
                writer.WriteString("e", eventType);
            }
            if (entry.Data is { } data)
            {
                writer.WritePropertyName("d");
                // Not parsed again: every entry's data is the kit's serializer output (JsonSerializer with a feature's context,
                // or the notice and `overtaken` JSON tested byte for byte against it), never a client's raw text. The writer
                // still checks the array's own structure, and OutboxEntriesTests read random batches back.
                writer.WriteRawValue(data, skipInputValidation: true);
            }
            if (entry.TargetUser is { } user)
            {
                writer.WriteString("t", user);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>
    /// About the array's UTF-8 size when its text is ASCII (the usual case; more grows the buffer): a thread's first buffer
    /// is made at about its size, where a fixed 256 bytes per entry made one several times too large for short publications.
    /// </summary>
    private static int SizeOf(IReadOnlyList<OutboxRow> entries)
    {
        var size = 2;
        foreach (var entry in entries)
        {
            // {"k":"…","c":"…","e":"…","d":…,"t":"…"}, and a comma
            size += 32 + entry.Channel.Length + (entry.EventType?.Length ?? 0) + (entry.Data?.Length ?? 0) + (entry.TargetUser?.Length ?? 0);
        }
        return size;
    }

    /// <summary>The entries of a batch row's <c>data</c> (a row recovered from another node, or left after a failure).</summary>
    public static List<OutboxRow> Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        var entries = new List<OutboxRow>(document.RootElement.GetArrayLength());
        foreach (var item in document.RootElement.EnumerateArray())
        {
            entries.Add(new OutboxRow
            {
                Kind = item.TryGetProperty("k", out var kind) ? kind.GetString()! : OutboxRow.Publish,
                Channel = item.GetProperty("c").GetString()!,
                EventType = item.TryGetProperty("e", out var eventType) ? eventType.GetString() : null,
                Data = item.TryGetProperty("d", out var data) ? data.GetRawText() : null,
                TargetUser = item.TryGetProperty("t", out var user) ? user.GetString() : null,
            });
        }
        return entries;
    }
}
