using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hubbub.Protocol;

/// <summary>
/// Writes a <see cref="DateTimeOffset"/> as ISO-8601 UTC ending in <c>Z</c> to the millisecond, like every other time
/// of the protocol and the features (a plain <see cref="DateTimeOffset"/> would be written with its offset,
/// <c>+00:00</c>, and seven fractional digits); reads any ISO-8601 time.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc />
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(new DateTime(value.UtcTicks - value.UtcTicks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc));
}
