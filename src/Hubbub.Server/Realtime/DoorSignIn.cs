using Hubbub.Core;
using Hubbub.Features.Kit.Http;
using Hubbub.Protocol;
using Hubbub.Server.Access;
using Hubbub.Server.Auth;

namespace Hubbub.Server.Realtime;

/// <summary>
/// Who opens a connection, for both doors (<c>/ws</c> and the HTTP fallback's <c>/ws/sse</c>): the token, or, when the
/// request names none, the app's connect proxy (<see cref="ConnectProxy"/>). Refusals are written here, with the same
/// JSON error body as every REST error, so both doors refuse alike.
/// </summary>
public sealed class DoorSignIn
{
    private readonly SocketAuthenticator _authenticator;
    private readonly ConnectProxy _connectProxy;

    internal DoorSignIn(IServiceProvider services)
    {
        _authenticator = services.GetRequiredService<SocketAuthenticator>();
        _connectProxy = services.GetRequiredService<ConnectProxy>();
    }

    /// <summary>
    /// The signed-in user, or null once a refusal is written: 401 without a usable token or proxy answer, 503 when the
    /// proxy gave no usable answer. <paramref name="transport"/> names the door to the proxy; null asks no proxy.
    /// </summary>
    public async Task<HubbubUser?> SignInAsync(HttpContext context, string? transport)
    {
        var user = await _authenticator.AuthenticateAsync(context.Request);
        if (user is null && transport is not null && await _connectProxy.SignInWithoutTokenAsync(context.Request, transport) is { } connect)
        {
            // No token at all: the app's backend signs the request in with its own session (a cookie, say).
            if (connect.Verdict == ConnectVerdict.Failed)
            {
                await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.Internal,
                    "the app's authentication backend gave no usable answer; try again");
                return null;
            }
            user = connect.User;
        }
        if (user is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized,
                "a valid token is required (access_token query parameter or Authorization: Bearer)");
        }
        return user;
    }

    /// <summary>
    /// The channels the request asks to be subscribed to at connect (<see cref="ConnectChannels"/>; null for none), or
    /// false once a 400 is written (too many).
    /// </summary>
    public static async Task<(bool Ok, List<string>? Channels)> ConnectChannelsAsync(HttpContext context, int max)
    {
        if (ConnectChannels.TryRead(context.Request.QueryString.Value.AsMemory(), max, out var channels, out var error))
        {
            return (true, channels);
        }
        await RefuseAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, error!);
        return (false, null);
    }

    /// <summary>Writes a refusal: <paramref name="status"/> with <c>{"code","message"}</c>, as every REST error.</summary>
    public static Task RefuseAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ApiError(code, message), KitHttpJsonContext.ErrorBody);
    }
}
