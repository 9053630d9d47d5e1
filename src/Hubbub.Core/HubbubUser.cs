namespace Hubbub.Core;

/// <summary>The signed-in user behind a connection or a request, as read from the token.</summary>
/// <param name="Id">The token's <c>sub</c>.</param>
/// <param name="Name">The token's <c>name</c>, or the id when the token has none.</param>
/// <param name="Roles">The token's <c>roles</c>.</param>
public sealed record HubbubUser(string Id, string Name, IReadOnlyList<string> Roles)
{
    /// <summary>The only role the core knows: admins may subscribe to and publish on any channel.</summary>
    public const string AdminRole = "admin";

    /// <summary>True when the user holds the <c>admin</c> role.</summary>
    public bool IsAdmin => Roles.Contains(AdminRole, StringComparer.Ordinal);
}
