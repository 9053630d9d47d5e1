using Hubbub.Core;
using Hubbub.Features.Kit.Text;
using Hubbub.Features.Kit.Users;
using Hubbub.Protocol;

namespace Hubbub.Features.Kit.Callers;

/// <summary>
/// Who a call acts as (FEATURES.md "Who may call what"): a user with their token acts as themself; the server
/// (<c>X-Api-Key</c>) or a token with role <c>admin</c> acts for the user it names — in the body, the path, or
/// <c>?user=</c> — and then is that user in every rule (an admin naming nobody stays themself). Everything else is refused.
/// </summary>
public sealed class CallerResolver(IRequestIdentity identity, UserDirectory users)
{
    /// <summary>
    /// The acting user of an HTTP request that names <paramref name="named"/> (or nobody). A server call naming nobody
    /// is refused naming <paramref name="actingField"/>, the body field that names the user.
    /// </summary>
    public ValueTask<HubbubUser> ForRequestAsync(HttpContext http, string? named, string? serverDefault = null, string actingField = "user",
        CancellationToken cancellationToken = default)
    {
        if (identity.UserOf(http) is { } user)
        {
            return ForUserAsync(user, named, cancellationToken);
        }
        if (identity.HasServerKey(http))
        {
            named ??= serverDefault;
            return named is null
                ? throw HubbubException.BadRequest(actingField == "user"
                    ? "a server call names the user it acts for: ?user= (or \"user\" in the body, where that field is the acting user)"
                    : $"a server call names the user it acts for: \"{actingField}\" (or \"user\") in the body, or ?user=")
                : ActAsAsync(named, cancellationToken);
        }
        throw Unauthenticated(http);
    }

    /// <summary>
    /// The user a request names to act for: <paramref name="named"/> (the body's field, or the path's user), else
    /// <c>?user=</c>. Both, naming different users, is <c>bad_request</c>: before, the body's won silently, so a call with
    /// <c>?user=a</c> and <c>{"user":"b"}</c> acted for b, whichever the caller meant.
    /// </summary>
    public static string? NamedUser(HttpContext http, string? named, string actingField = "user")
    {
        var inQuery = http.Request.Query.TryGetValue("user", out var q) ? q.ToString() : null;
        return OneUser(named, inQuery, $"?user= and \"{actingField}\"");
    }

    /// <summary>
    /// The user a call acts for when two places of it may name one (<paramref name="first"/> wins when only they agree or
    /// one is given): both, naming different users, is <c>bad_request</c> saying which <paramref name="places"/> differ.
    /// </summary>
    public static string? OneUser(string? first, string? second, string places) =>
        first is not null && second is not null && !string.Equals(first, second, StringComparison.Ordinal)
            ? throw HubbubException.BadRequest($"the call names two users to act for: {places} differ; name one")
            : first ?? second;

    /// <summary>The <c>unauthorized</c> refusal of a request with neither a valid token nor the server key, saying why.</summary>
    public HubbubException Unauthenticated(HttpContext http) => new(ErrorCodes.Unauthorized, identity.WhyUnauthenticated(http));

    /// <summary>
    /// Who reads something public (an auction, its bids): the user the request signs in as or names, and for a server
    /// call that names nobody <see cref="ServerViewer"/>, since reading what every signed-in user may read needs no user.
    /// </summary>
    public ValueTask<HubbubUser> ViewerForRequestAsync(HttpContext http, string? named, CancellationToken cancellationToken = default) =>
        named is null && identity.UserOf(http) is null && identity.HasServerKey(http)
            ? ValueTask.FromResult(ServerViewer)
            : ForRequestAsync(http, named, null, cancellationToken: cancellationToken);

    /// <summary>The server reading public things: an admin whose id no user can have (it breaks the user-id rule).</summary>
    public static HubbubUser ServerViewer { get; } = new("(server)", "server", [HubbubUser.AdminRole]);

    /// <summary>Whether the request is authenticated at all (a token, or the server key).</summary>
    public bool IsAuthenticated(HttpContext http) => identity.UserOf(http) is not null || identity.HasServerKey(http);

    /// <summary>
    /// Whether the request may do what only the server may (definitions, grants): it carries the server key, or a
    /// token with role <c>admin</c>. A token is judged alone, as in <see cref="ForRequestAsync"/>.
    /// </summary>
    public bool IsServerOrAdmin(HttpContext http) => identity.UserOf(http) is { } user ? user.IsAdmin : identity.HasServerKey(http);

    /// <summary>
    /// The acting user of a signed-in user's call (a WebSocket command, or a REST call with a token). The directory
    /// learns the name the token carries on the way, so every feature's lists show current names; the user acts under
    /// the directory's name, which is the token's unless the user chose another (<c>PATCH /api/users/me</c>) that no
    /// token with a new name has replaced since: what they do (a bid, a check-in) shows the name their profile shows.
    /// </summary>
    public async ValueTask<HubbubUser> ForUserAsync(HubbubUser user, string? named, CancellationToken cancellationToken = default)
    {
        await users.TouchAsync(user, cancellationToken);
        if (named is null || named == user.Id)
        {
            var shown = await users.NameOfAsync(user.Id, cancellationToken); // known to this node since the touch: no read
            return shown == user.Name ? user : user with { Name = shown };
        }
        return user.IsAdmin
            ? await ActAsAsync(named, cancellationToken)
            : throw HubbubException.Forbidden("only the server (X-Api-Key) or an admin may act for another user");
    }

    private async ValueTask<HubbubUser> ActAsAsync(string named, CancellationToken ct)
    {
        if (!UserIds.IsValid(named))
        {
            throw HubbubException.BadRequest(UserIds.Rule("user"));
        }
        return new HubbubUser(named, await users.NameOfAsync(named, ct), []);
    }
}
