using System.Text.Json;

namespace Hubbub.Testing;

/// <summary>Reads the common members of a protocol frame (PROTOCOL.md) without ceremony in assertions.</summary>
public static class FrameExtensions
{
    /// <summary>The frame's <c>type</c>, or null when it has none (or it is not a string).</summary>
    public static string? Type(this JsonElement frame) =>
        frame.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;

    /// <summary>The frame's <c>channel</c>, or null when it has none (or it is not a string).</summary>
    public static string? Channel(this JsonElement frame) =>
        frame.TryGetProperty("channel", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;

    /// <summary>The publication's offset.</summary>
    public static long Offset(this JsonElement frame) => frame.GetProperty("offset").GetInt64();

    /// <summary>The <c>data.code</c> of an error frame.</summary>
    public static string ErrorCode(this JsonElement frame) => frame.GetProperty("data").GetProperty("code").GetString()!;
}
