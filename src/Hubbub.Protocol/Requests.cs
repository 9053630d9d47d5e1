using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hubbub.Protocol;

/// <summary>A position in a channel's stream: the last offset seen and the epoch it belongs to.</summary>
public sealed record StreamPosition(
    [property: JsonPropertyName("offset")] long Offset,
    [property: JsonPropertyName("epoch")] string Epoch);

/// <summary><c>subscribe</c>: join a channel, optionally recovering everything after <see cref="Since"/>.</summary>
public sealed record SubscribeRequest(
    [property: JsonPropertyName("channel")] string? Channel,
    [property: JsonPropertyName("since")] StreamPosition? Since)
{
    /// <summary>What the client sends along for the app's backend to judge (a subscribe proxy receives it); optional.</summary>
    [JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public JsonElement Data { get; init; }
}

/// <summary><c>refresh</c>: replace the connection's token with <see cref="Token"/> (same user).</summary>
public sealed record RefreshRequest([property: JsonPropertyName("token")] string? Token);

/// <summary><c>unsubscribe</c>, <c>presence</c>: a request that names only a channel.</summary>
public sealed record ChannelRequest([property: JsonPropertyName("channel")] string? Channel);

/// <summary><c>publish</c>: put <see cref="Data"/> on a channel as event <see cref="Event"/> (default <c>message</c>).</summary>
public sealed record PublishRequest(
    [property: JsonPropertyName("channel")] string? Channel,
    [property: JsonPropertyName("event")] string? Event,
    [property: JsonPropertyName("data")] JsonElement Data);

/// <summary>
/// <c>history</c>: publications of a channel, oldest first, after <see cref="Since"/> or the latest
/// <see cref="Limit"/>. <see cref="Since"/> is a position <c>{offset, epoch?}</c> or a bare offset.
/// </summary>
public sealed record HistoryRequest(
    [property: JsonPropertyName("channel")] string? Channel,
    [property: JsonPropertyName("since")] JsonElement Since,
    [property: JsonPropertyName("limit")] int? Limit);

/// <summary><c>typing</c>: tell the others in a channel that this user is (or stopped) typing.</summary>
public sealed record TypingRequest(
    [property: JsonPropertyName("channel")] string? Channel,
    [property: JsonPropertyName("is_typing")] bool? IsTyping);

/// <summary>Body of <c>POST /api/publish</c>.</summary>
public sealed record ServerPublishRequest(
    [property: JsonPropertyName("channel")] string? Channel,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("data")] JsonElement Data);
