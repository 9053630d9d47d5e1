using System.Text.Json.Serialization;

namespace Hubbub.Protocol;

/// <summary>Who sent a publication or an ephemeral event.</summary>
public sealed record ClientInfo(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name);

/// <summary>Data of the first frame the server sends on a new connection.</summary>
public sealed record WelcomeData(
    [property: JsonPropertyName("client")] string Client,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("heartbeat_ms")] int HeartbeatMs,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("limits")] WelcomeLimits Limits)
{
    /// <summary>
    /// When the connection's token expires (Unix seconds), so a client can refresh it ahead of time; absent when the
    /// connection does not expire (a connect-proxy session without <c>expires_at</c>).
    /// </summary>
    [JsonPropertyName("expires_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? ExpiresAt { get; init; }
}

/// <summary>Reply to <c>refresh</c>: the connection's new expiry (Unix seconds), absent when it has none.</summary>
public sealed record RefreshReply(
    [property: JsonPropertyName("expires_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ExpiresAt);

/// <summary>The limits the connection lives under, so a client can respect them up front.</summary>
public sealed record WelcomeLimits(
    [property: JsonPropertyName("max_frame_bytes")] int MaxFrameBytes,
    [property: JsonPropertyName("max_subscriptions")] int MaxSubscriptions,
    [property: JsonPropertyName("messages_per_second")] double MessagesPerSecond,
    [property: JsonPropertyName("burst")] int Burst);

/// <summary>Data of an <c>error</c> frame.</summary>
public sealed record ErrorData(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message);

/// <summary>Reply to <c>subscribe</c>. <see cref="Recovered"/> is present only when <c>since</c> was given.</summary>
public sealed record SubscribeReply(
    [property: JsonPropertyName("offset")] long Offset,
    [property: JsonPropertyName("epoch")] string Epoch,
    [property: JsonPropertyName("recovered"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Recovered)
{
    /// <summary>The channel's current state, for namespaces whose feature provides one (absent otherwise).</summary>
    [JsonPropertyName("state"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public System.Text.Json.JsonElement? State { get; init; }
}

/// <summary>Reply to <c>publish</c> and body of <c>POST /api/publish</c>'s answer.</summary>
public sealed record PublishReply([property: JsonPropertyName("offset")] long Offset);

/// <summary>One member of a channel's presence; <see cref="Since"/> is written in UTC with <c>Z</c>.</summary>
public sealed record PresenceMember(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("since"), JsonConverter(typeof(UtcTimestampConverter))] DateTimeOffset Since);

/// <summary>Reply to <c>presence</c>.</summary>
public sealed record PresenceReply([property: JsonPropertyName("members")] IReadOnlyList<PresenceMember> Members);

/// <summary>Data of <c>typing</c> events.</summary>
public sealed record TypingEvent(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("is_typing")] bool IsTyping);

/// <summary>Empty reply data (<c>{}</c>).</summary>
public sealed record EmptyReply;

/// <summary>Data of <c>unsubscribed</c>: why the server ended the subscription.</summary>
public sealed record UnsubscribedData([property: JsonPropertyName("reason")] string Reason);

/// <summary>
/// Data of <c>stream_reset</c>: delivery goes on after <paramref name="Offset"/> of <paramref name="Epoch"/>. Offset 0
/// means every publication of the epoch follows; a larger one means the publications of the epoch up to it
/// never will.
/// </summary>
public sealed record StreamResetData([property: JsonPropertyName("epoch")] string Epoch, [property: JsonPropertyName("offset")] long Offset);
