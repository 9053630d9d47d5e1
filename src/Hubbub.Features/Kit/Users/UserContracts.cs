using System.Text.Json.Serialization;
using Hubbub.Features.Kit.Callers;

namespace Hubbub.Features.Kit.Users;

/// <summary>A user as the directory knows them: <c>GET /api/users/{id}</c>.</summary>
/// <param name="User">The id (the token's <c>sub</c>).</param>
/// <param name="Name">The display name last seen in the user's token (or set by the server), the id when never seen.</param>
/// <param name="TimeZone">IANA time zone (<c>Europe/Berlin</c>); null means UTC.</param>
public sealed record UserProfile(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("timezone")] string? TimeZone);

/// <summary><c>PATCH /api/users/{id}</c>: fields left out stay as they are; <c>timezone</c> "" resets it to UTC.</summary>
public sealed record UpdateProfileRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("timezone")] string? TimeZone,
    [property: JsonPropertyName("user")] string? User = null) : IActingRequest;

/// <summary>Whether a user is connected, and when they were last (null while online or never seen).</summary>
public sealed record UserStatus(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("is_online")] bool IsOnline,
    [property: JsonPropertyName("last_seen")] DateTime? LastSeen)
{
    /// <summary>The event on <c>user:{id}</c> of each contact when a user goes online or offline.</summary>
    public const string EventType = "status";
}
