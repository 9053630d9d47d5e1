using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hubbub.Core;

namespace Hubbub.Features.Kit.Http;

/// <summary>
/// Reads a JSON request body with a size bound, refusing in the protocol's terms (<c>bad_request</c>,
/// <c>too_large</c>) rather than the framework's, so REST errors are always <c>{"code","message"}</c>.
/// </summary>
internal static class JsonBody
{
    /// <summary>Reads the body; an empty one is refused, or read as <c>{}</c> when <paramref name="optional"/>.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> info, int maxBytes, CancellationToken ct, bool optional = false)
    {
        var body = await BoundedBody.ReadAsync(request, maxBytes, ct);
        if (body.Length == 0)
        {
            body = optional ? "{}"u8.ToArray() : throw HubbubException.BadRequest("a JSON body is required");
        }
        try
        {
            return JsonSerializer.Deserialize(body, info)
                ?? throw HubbubException.BadRequest("the body must be a JSON object");
        }
        catch (JsonException)
        {
            throw HubbubException.BadRequest("the body is not valid JSON of the expected shape");
        }
    }
}
