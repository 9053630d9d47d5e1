using System.Text.Json;

namespace Hubbub.Server.Realtime.Fallback;

/// <summary>
/// Splits a fallback <c>POST</c> body into client frames: a JSON object is one frame, a JSON array is a batch of
/// frames in order. The body must be valid JSON as a whole (else nothing of it is taken); each frame is then the
/// engine's to judge, as a WebSocket text frame is (a frame that is not an object gets <c>bad_request</c> on the stream).
/// </summary>
internal static class FrameBatch
{
    private static readonly JsonReaderOptions Reader = new() { MaxDepth = 64 };

    /// <summary>The frames of <paramref name="body"/>, or null with the refusal (status, code and message).</summary>
    public static IReadOnlyList<ReadOnlyMemory<byte>>? TrySplit(ReadOnlyMemory<byte> body, int maxFrames, int maxFrameBytes,
        out (int Status, string Code, string Message) refusal)
    {
        refusal = default;
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            refusal = (400, "bad_request", "the body is not valid UTF-8");
            return null;
        }
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            // The reader throws on no token at all, with a message about its own buffers.
            refusal = (400, "bad_request", "the body is empty; send one frame (a JSON object) or an array of frames");
            return null;
        }
        var frames = new List<ReadOnlyMemory<byte>>();
        try
        {
            var reader = new Utf8JsonReader(body.Span, Reader);
            if (!reader.Read())
            {
                refusal = (400, "bad_request", "the body is empty; send one frame (a JSON object) or an array of frames");
                return null;
            }
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    frames.Add(body[start..(int)reader.BytesConsumed]);
                    if (frames.Count > maxFrames)
                    {
                        refusal = (413, "too_large", $"a POST carries at most {maxFrames} frames");
                        return null;
                    }
                }
            }
            else
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                frames.Add(body[start..(int)reader.BytesConsumed]);
            }
            // Anything after the value (a second value, garbage) makes the body invalid JSON.
            if (reader.Read())
            {
                refusal = (400, "bad_request", "the body holds more than one JSON value; send an array of frames");
                return null;
            }
        }
        catch (JsonException ex)
        {
            // Where, not the reader's own sentence (it quotes .NET's terms: "isFinalBlock", "Expected the literal 'null'").
            refusal = (400, "bad_request",
                $"the body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}); send one frame (a JSON object) or an array of frames");
            return null;
        }
        if (frames.Count == 0)
        {
            refusal = (400, "bad_request", "the batch is empty");
            return null;
        }
        foreach (var frame in frames)
        {
            if (frame.Length > maxFrameBytes)
            {
                refusal = (413, "too_large", $"a frame is larger than {maxFrameBytes} bytes; nothing of this POST was taken");
                return null;
            }
        }
        return frames;
    }
}
