using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hubbub.Core;
using Hubbub.Core.Commands;

namespace Hubbub.Server.Features;

/// <summary>What every feature's WebSocket commands do with their <c>data</c> and their reply.</summary>
internal static class CommandData
{
    /// <summary>Reads a command's <c>data</c> object; anything else, or a field of the wrong type, is <c>bad_request</c>.</summary>
    public static T Parse<T>(CommandContext context, JsonTypeInfo<T> info)
    {
        if (context.Data.ValueKind != JsonValueKind.Object)
        {
            throw HubbubException.BadRequest("'data' must be an object");
        }
        try
        {
            return context.Data.Deserialize(info) ?? throw HubbubException.BadRequest("'data' must be an object");
        }
        catch (JsonException)
        {
            throw HubbubException.BadRequest("'data' has a field of the wrong type");
        }
    }

    /// <summary>A reply's data: the same JSON the feature's REST API returns.</summary>
    public static byte[] Reply<T>(T value, JsonTypeInfo<T> info) => JsonSerializer.SerializeToUtf8Bytes(value, info);
}
