using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsCheck;
using Hubbub.Features.Kit;
using Hubbub.Features.Kit.Outbox;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Features.Tests;

/// <summary>
/// A transaction's batch row is written once as UTF-8 (<see cref="OutboxEntries.WriteUtf8"/>), its entries' data copied in
/// without being parsed again, and bound as bytes that the insert casts to text on SQLite: the row holds the same text as
/// when it was written as a string with every entry's data validated, on both engines, and reads back entry for entry.
/// </summary>
public sealed class OutboxEntriesTests
{
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[Gen.Char["abcXYZ019_-.:@ é\"\\<"], 0, 20],
        Gen.String); // any UTF-16, lone surrogates and control characters included

    // Channels, types and users: names, with characters the writer escapes (not lone surrogates, which no name holds).
    private static readonly Gen<string> Name = Gen.String[Gen.Char["abcXYZ019_-.:@ é\"\\<\u2028"], 0, 20];

    // Data as the kit makes it: the serializer's output for strings, numbers, objects and arrays.
    private static readonly Gen<string> Data = Gen.OneOf(
        Text.Select(t => JsonSerializer.Serialize(t, OutboxEntriesJson.Default.String)),
        Gen.Long.Select(n => JsonSerializer.Serialize(n, OutboxEntriesJson.Default.Int64)),
        Gen.Select(Text, Text).Select((k, v) => JsonSerializer.Serialize(new Dictionary<string, string> { [k] = v }, OutboxEntriesJson.Default.DictionaryStringString)),
        Text.Array[0, 4].Select(a => JsonSerializer.Serialize(a, KitJsonContext.Default.StringArray)));

    private static readonly Gen<OutboxRow> Entry = Gen.OneOf(
        Gen.Select(Name, Name, Data).Select((c, e, d) => new OutboxRow { Channel = c, EventType = e, Data = d }),
        Gen.Select(Name, Name, Name).Select((c, reason, user) => new OutboxRow { Kind = OutboxRow.Unsubscribe, Channel = c, EventType = reason, TargetUser = user }));

    [Fact]
    public void The_row_is_the_bytes_the_validating_writer_wrote_and_reads_back_entry_for_entry()
    {
        Entry.List[1, 25].Sample(entries =>
        {
            var utf8 = OutboxEntries.WriteUtf8(entries);
            Assert.Equal(Validated(entries), utf8);
            Assert.Equal(utf8, Encoding.UTF8.GetBytes(OutboxEntries.Write(entries)));
            var read = OutboxEntries.Read(Encoding.UTF8.GetString(utf8));
            Assert.Equal(entries.Select(Fields), read.Select(Fields));
        });
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_batch_row_is_stored_as_text(string engine)
    {
        await using var chat = await ChatServer.StartAsync(engine);
        var features = chat.Server.Services.GetRequiredService<FeatureDatabase>();
        var typeOf = engine == "sqlite" ? "typeof(data)" : "pg_typeof(data)::text";
        var (type, data) = await features.WriteAsync(async tx =>
        {
            await tx.PublishAsync("user:ada", "n", "é \"1\" \u2028", OutboxEntriesJson.Default.String);
            await tx.EndSubscriptionsAsync("bob", "user:ada", "gone");
            await tx.PublishAsync("user:bob", "n", 2, KitJsonContext.Default.Int32);
            await tx.WriteOutboxAsync(CancellationToken.None);
            // Read inside the transaction, before the commit publishes the row and deletes it.
            return await tx.ToDatabaseTransaction().QuerySingleAsync<(string Type, string Data)>(
                $"SELECT {typeOf}, data FROM kit_outbox WHERE kind = 'batch' ORDER BY id DESC LIMIT 1");
        });
        Assert.Equal("text", type);
        Assert.Equal(
            """[{"c":"user:ada","e":"n","d":"\u00E9 \u00221\u0022 \u2028"},{"k":"unsubscribe","c":"user:ada","e":"gone","t":"bob"},{"c":"user:bob","e":"n","d":2}]""",
            data);
    }

    private static (string, string, string?, string?, string?) Fields(OutboxRow row) => (row.Kind, row.Channel, row.EventType, row.Data, row.TargetUser);

    /// <summary>The former batch writer: a string's writer with every entry's data parsed as it is copied in.</summary>
    private static byte[] Validated(IReadOnlyList<OutboxRow> entries)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
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
                    writer.WriteRawValue(data);
                }
                if (entry.TargetUser is { } user)
                {
                    writer.WriteString("t", user);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class OutboxEntriesJson : JsonSerializerContext;
