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

    /// <summary>
    /// When the credentials expire (the token's <c>exp</c>, or a connect proxy's <c>expires_at</c>); null when they
    /// do not. A connection past it (plus <see cref="HubbubOptions.TokenExpiryGraceSeconds"/>) without a
    /// <c>refresh</c> is closed with 4401.
    /// </summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>
    /// The channels the token grants (its <c>channels</c> claim: names such as <c>team:42</c> or patterns ending in
    /// <c>*</c> such as <c>orders:*</c>). They count only in namespaces configured to read them.
    /// </summary>
    public IReadOnlyList<string> Channels { get; init; } = [];
}
