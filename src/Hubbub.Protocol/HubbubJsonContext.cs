using System.Text.Json.Serialization;

namespace Hubbub.Protocol;

/// <summary>Source-generated serializers for every protocol record, so no reflection runs on the hot path.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(SubscribeRequest))]
[JsonSerializable(typeof(ChannelRequest))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(RefreshReply))]
[JsonSerializable(typeof(PublishRequest))]
[JsonSerializable(typeof(HistoryRequest))]
[JsonSerializable(typeof(TypingRequest))]
[JsonSerializable(typeof(ServerPublishRequest))]
[JsonSerializable(typeof(StreamPosition))]
[JsonSerializable(typeof(WelcomeData))]
[JsonSerializable(typeof(ErrorData))]
[JsonSerializable(typeof(SubscribeReply))]
[JsonSerializable(typeof(PublishReply))]
[JsonSerializable(typeof(PresenceReply))]
[JsonSerializable(typeof(TypingEvent))]
[JsonSerializable(typeof(ClientInfo))]
[JsonSerializable(typeof(EmptyReply))]
[JsonSerializable(typeof(StreamResetData))]
[JsonSerializable(typeof(UnsubscribedData))]
public sealed partial class HubbubJsonContext : JsonSerializerContext;
