using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Hubbub.Features.Kit.Notifications;

/// <summary>
/// Values for a SQLite statement as one JSON array, read back with <c>json_each</c>: a batch of rows bound as one
/// parameter instead of one per value (see <see cref="NotificationStore.InsertEachAsync"/>). Strings go in as JSON
/// strings, which SQLite's <c>-&gt;&gt;</c> returns as the same text; null as JSON null, SQL NULL again.
/// </summary>
internal static class NotificationRowsJson
{
    // Only SQLite reads it: no HTML to be safe in, so nothing beyond what JSON requires is escaped.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><c>["a","b",…]</c>.</summary>
    public static string Of(IEnumerable<string> values)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary><c>[[…],[…],…]</c>: one inner array per item, of the values <paramref name="row"/> gives.</summary>
    public static string Of<T>(IEnumerable<T> items, Func<T, string?[]> row)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartArray();
            foreach (var item in items)
            {
                writer.WriteStartArray();
                foreach (var value in row(item))
                {
                    if (value is null)
                    {
                        writer.WriteNullValue();
                    }
                    else
                    {
                        writer.WriteStringValue(value);
                    }
                }
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
