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
    /// name a user with <c>?user=</c> to mark what that user holds.
    /// </summary>
    public static (string? Viewer, bool SeesAll) Viewer(FeatureCall call)
    {
        var identity = call.Http.RequestServices.GetRequiredService<IRequestIdentity>();
        if (identity.UserOf(call.Http) is { } user)
        {
            return (user.Id, user.IsAdmin);
        }
        var named = call.Http.Request.Query["user"].ToString();
        return (named.Length > 0 ? Kit.Users.UserDirectory.CheckUserId(named) : null, true);
    }
}
