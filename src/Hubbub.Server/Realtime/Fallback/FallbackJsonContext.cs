using System.Text.Json.Serialization;

namespace Hubbub.Server.Realtime.Fallback;

/// <summary>The opening event of a stream: the session its client posts to.</summary>
/// <param name="Session">The session id (<c>POST /ws/sse/{session}</c>).</param>
internal sealed record SessionOpened(string Session);

/// <summary>The answer to an accepted <c>POST</c>: how many frames it queued (their answers come on the stream).</summary>
/// <param name="Accepted">The number of frames.</param>
internal sealed record FramesAccepted(int Accepted);

/// <summary>Source-generated JSON of the fallback transport.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SessionOpened))]
[JsonSerializable(typeof(FramesAccepted))]
[JsonSerializable(typeof(string))]
internal sealed partial class FallbackJsonContext : JsonSerializerContext;
