using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Hubbub.Features.Kit.Http;

/// <summary>
/// The body of every REST error: the protocol's error code, a machine-readable reason where one code covers several
/// refusals (omitted otherwise), and a message for people.
/// </summary>
/// <param name="Code">One of the protocol's error codes.</param>
/// <param name="Message">What was wrong.</param>
/// <param name="Reason">Which refusal of <paramref name="Code"/> (snake_case), or null.</param>
public sealed record ApiError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("reason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null);

/// <summary>Source-generated JSON for the kit's HTTP records.</summary>
[JsonSerializable(typeof(ApiError))]
public sealed partial class KitHttpJsonContext : JsonSerializerContext
{
    /// <summary>
    /// <see cref="ApiError"/> as every REST error body is written: messages quote with <c>'</c> (<c>'channel'</c>), which
    /// the default encoder writes as <c>\u0027</c>, unreadable in curl. A body of type <c>application/json</c> (with
    /// <c>nosniff</c>) is never read as HTML, so only what JSON itself requires is escaped.
    /// </summary>
    public static JsonTypeInfo<ApiError> ErrorBody { get; } =
        new KitHttpJsonContext(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).ApiError;
}
