using Hubbub.Core;

namespace Hubbub.Features.Kit.Http;

/// <summary>
/// Reads a whole request body with a size bound: refused with <c>too_large</c> as soon as the declared length
/// or the bytes read pass it, so a body sent without a length is never buffered beyond the bound.
/// </summary>
internal static class BoundedBody
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge(maxBytes);
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static HubbubException TooLarge(int maxBytes) => HubbubException.TooLarge($"the body is larger than {maxBytes} bytes");
}
