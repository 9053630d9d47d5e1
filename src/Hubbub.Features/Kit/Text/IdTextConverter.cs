using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hubbub.Features.Kit.Text;

/// <summary>
/// Reads an id that the API answers as a string (<c>"18"</c>) from a string or from a JSON integer (<c>18</c>): a client
/// that parsed the number out of the string, or a test written against a numeric id, is understood instead of refused.
/// Any other token is the serializer's usual shape error. Writes the string.
/// </summary>
public sealed class IdTextConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number when reader.TryGetInt64(out var number) => number.ToString(CultureInfo.InvariantCulture),
        _ => throw new JsonException("an id is a string or a whole number"),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
