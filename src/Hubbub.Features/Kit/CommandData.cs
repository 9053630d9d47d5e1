using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hubbub.Core;
using Hubbub.Core.Commands;

namespace Hubbub.Features.Kit;

/// <summary>What every feature's WebSocket commands do with their <c>data</c> and their reply.</summary>
internal static class CommandData
{
    /// <summary>
    /// Reads a command's <c>data</c> object (none, or null, reads as <c>{}</c>: the service then refuses what is
    /// missing); anything else, a field of the wrong type, or a text field holding a NUL (<see cref="Text.RequestText"/>,
    /// as a REST body's) is <c>bad_request</c>.
    /// </summary>
    public static T Parse<T>(CommandContext context, JsonTypeInfo<T> info) => Text.RequestText.Checked(Read(context, info), info);

    private static T Read<T>(CommandContext context, JsonTypeInfo<T> info)
    {
        if (context.Data.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return JsonSerializer.Deserialize("{}"u8, info)!;
        }
        if (context.Data.ValueKind != JsonValueKind.Object)
        {
            throw HubbubException.BadRequest("'data' must be an object");
        }
        try
        {
            return context.Data.Deserialize(info) ?? throw HubbubException.BadRequest("'data' must be an object");
        }
        catch (JsonException refused)
        {
            // Named as REST names it ({"amount": 1.5} → at 'amount'), so a caller knows what to fix.
            throw HubbubException.BadRequest("'data' has a field of the wrong type" + Http.JsonBody.Where(refused.Path));
        }
    }
}
