using System.Text.Json.Serialization;
using Hubbub.Protocol;

namespace Hubbub.Server.Api;

/// <summary>The body of every REST error: the protocol's error code and a message for people.</summary>
/// <param name="Code">One of the protocol's error codes.</param>
/// <param name="Message">What was wrong.</param>
public sealed record ApiError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message);

/// <summary>Source-generated JSON for the REST API's own records.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ApiError))]
[JsonSerializable(typeof(PublishReply))]
[JsonSerializable(typeof(ServerPublishRequest))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
