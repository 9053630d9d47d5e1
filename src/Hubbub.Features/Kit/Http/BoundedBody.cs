using System.Buffers;
using Hubbub.Core;

namespace Hubbub.Features.Kit.Http;

/// <summary>
/// Reads a whole request body with a size bound: refused with <c>too_large</c> as soon as the declared length
/// or the bytes read pass it, so a body sent without a length is never buffered beyond the bound.
/// </summary>
internal static class BoundedBody
{
    // A body without a declared length is read through a pooled chunk of this size (not one allocated per request).
    private const int ChunkSize = 8192;

    public static async Task<byte[]> ReadAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }
        if (request.ContentLength is { } declared)
        {
            return await ReadDeclaredAsync(request.Body, (int)declared, maxBytes, ct);
        }
        return await ReadRestAsync(request.Body, [], null, maxBytes, ct);
    }

    /// <summary>Reads to the end after <paramref name="start"/> (and <paramref name="next"/>), with the bound.</summary>
    private static async Task<byte[]> ReadRestAsync(Stream body, byte[] start, byte? next, int maxBytes, CancellationToken ct)
    {
        if (start.Length + (next is null ? 0 : 1) > maxBytes)
        {
            throw TooLarge(maxBytes);
        }
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            using var buffer = new MemoryStream();
            buffer.Write(start);
            if (next is { } b)
            {
                buffer.WriteByte(b);
            }
            int read;
            while ((read = await body.ReadAsync(chunk.AsMemory(0, ChunkSize), ct)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    throw TooLarge(maxBytes);
                }
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>
    /// A body of a declared length (the usual case): read straight into an array of that size, the one copy kept. Kestrel
    /// ends the body at the declared length, so more bytes cannot come; a body shorter than declared is what was sent.
    /// </summary>
    private static async Task<byte[]> ReadDeclaredAsync(Stream body, int length, int maxBytes, CancellationToken ct)
    {
        var bytes = new byte[length];
        var filled = 0;
        int read;
        while (filled < length && (read = await body.ReadAsync(bytes.AsMemory(filled), ct)) > 0)
        {
            filled += read;
        }
        if (filled == length)
        {
            // Never more than declared with Kestrel; a body stream that does give more (a decoding middleware) is read on
            // with the bound like one of no declared length.
            var probe = ArrayPool<byte>.Shared.Rent(1);
            try
            {
                if (await body.ReadAsync(probe.AsMemory(0, 1), ct) > 0)
                {
                    return await ReadRestAsync(body, bytes, probe[0], maxBytes, ct);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(probe);
            }
        }
        return filled == length ? bytes : bytes[..filled];
    }

    private static HubbubException TooLarge(int maxBytes) => HubbubException.TooLarge($"the body is larger than {maxBytes} bytes");
}
