namespace Hubbub.Features.Kit.Callers;

/// <summary>
/// A request that may name the user a server (<c>X-Api-Key</c>) or an admin acts for: <c>"user": "42"</c> in the body
/// or the command's data. A user calling for themself leaves it out (or names themself).
/// </summary>
public interface IActingRequest
{
    /// <summary>The user acted for, or null for the caller.</summary>
    string? User { get; }

    /// <summary>
    /// The body field a server names the acting user with, as a refusal names it (<c>user</c>; an auction's create
    /// says <c>seller</c>).
    /// </summary>
    static virtual string ActingField => "user";
}
