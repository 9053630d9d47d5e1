using Hubbub.Core;
using Hubbub.Features.Kit.Callers;
using Hubbub.Features.Kit.Declaring;

namespace Hubbub.Features.Gamification;

/// <summary>Who may call what in gamification (FEATURES.md "Who may call what").</summary>
internal static class GamificationAccess
{
    /// <summary>Events and definitions are for the server (<c>X-Api-Key</c>) or a token with role admin; a user's token is <c>forbidden</c>.</summary>
    public static void RequireServerOrAdmin(FeatureCall call)
    {
        var identity = call.Http.RequestServices.GetRequiredService<IRequestIdentity>();
        if (identity.UserOf(call.Http) is { } user)
        {
            if (!user.IsAdmin)
            {
                throw HubbubException.Forbidden("only the server (X-Api-Key) or an admin may post events or change definitions");
            }
        }
        else if (!identity.HasServerKey(call.Http))
        {
            throw new HubbubException(Protocol.ErrorCodes.Unauthorized, identity.WhyUnauthenticated(call.Http));
        }
    }

    /// <summary>
    /// Who reads a listing: a user reads as themself (an admin sees everything); the server sees everything and may
    /// name a user with <c>?user=</c> to mark what that user holds. Where the listing marks a user's holdings
    /// (<paramref name="marksHoldings"/>), a user naming another is refused (an admin reads as that user).
    /// </summary>
    public static (string? Viewer, bool SeesAll) Viewer(FeatureCall call, bool marksHoldings = false)
    {
        var identity = call.Http.RequestServices.GetRequiredService<IRequestIdentity>();
        var named = call.Http.Request.Query["user"].ToString();
        if (identity.UserOf(call.Http) is { } user)
        {
            if (!marksHoldings || named.Length == 0 || named == GamificationEndpoints.Me || named == user.Id)
            {
                return (user.Id, user.IsAdmin);
            }
            // Another user's holdings (hidden achievements among them) are theirs: an admin may look, a user is told no
            // rather than shown their own state under another's name.
            return user.IsAdmin
                ? (Kit.Users.UserDirectory.CheckUserId(named), true)
                : throw HubbubException.Forbidden("only the server (X-Api-Key) or an admin may name another user with ?user=");
        }
        return (named.Length > 0 ? Kit.Users.UserDirectory.CheckUserId(named) : null, true);
    }
}
