using System.Text.Json.Serialization;
using Hubbub.Features.Kit.Http;
using Hubbub.Protocol;

namespace Hubbub.Server.Api;

/// <summary>Source-generated JSON for the host's own REST records.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(PublishReply))]
[JsonSerializable(typeof(ServerPublishRequest))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
