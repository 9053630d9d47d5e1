using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hubbub.Core;

namespace Hubbub.Server.Features.Messaging;

/// <summary>
/// Reads a JSON request body with a size bound, refusing in the protocol's terms (<c>bad_request</c>,
/// <c>too_large</c>) rather than the framework's, so REST errors are always <c>{"code","message"}</c>.
/// </summary>
internal static class JsonBody
{
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> info, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            throw HubbubException.TooLarge($"the body is larger than {maxBytes} bytes");
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw HubbubException.TooLarge($"the body is larger than {maxBytes} bytes");
            }
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
        {
            throw HubbubException.BadRequest("a JSON body is required");
        }
        try
        {
            return JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), info)
                ?? throw HubbubException.BadRequest("the body must be a JSON object");
        }
        catch (JsonException)
        {
            throw HubbubException.BadRequest("the body is not valid JSON of the expected shape");
        }
    }
}
