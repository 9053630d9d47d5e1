using System.Security.Cryptography;
using System.Text;
using Hubbub.Core;
using Hubbub.Features.Kit.Callers;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Auth;

/// <summary>The host's answer to who sent a REST request: a bearer token's user, or the server's <c>X-Api-Key</c>.</summary>
internal sealed class RequestIdentity(IOptions<AuthOptions> auth) : IRequestIdentity
{
    /// <summary>The header that carries the server API key.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <inheritdoc />
    public HubbubUser? UserOf(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true ? UserClaims.Of(http.User) : null;

    /// <inheritdoc />
    public bool HasServerKey(HttpContext http) => KeyMatches(http.Request.Headers[ApiKeyHeader], auth.Value.ApiKey);

    /// <inheritdoc />
    public string WhyUnauthenticated(HttpContext http)
    {
        if (http.Request.Headers.ContainsKey(ApiKeyHeader))
        {
            return WhyKeyRefused(auth.Value.ApiKey);
        }
        return http.Request.Headers.Authorization.Count > 0 || http.Request.Query.ContainsKey("access_token")
            ? "the bearer token was not accepted (expired, signed with another key, without 'sub' or 'exp', or a claim outside the token rules, such as a 'name' over 128 characters or with control characters); send a valid one or X-Api-Key"
            : "a bearer token (Authorization: Bearer) or X-Api-Key is required";
    }

    /// <summary>Why an <c>X-Api-Key</c> was refused: this server has none configured, or it is another one.</summary>
    public static string WhyKeyRefused(string? configured) => string.IsNullOrEmpty(configured)
        ? "this server has no API key configured, so it refuses every X-Api-Key: start it with Auth__ApiKey set (or Auth:ApiKey in its settings)"
        : "the X-Api-Key does not match this server's Auth:ApiKey";

    /// <summary>Compares a given key with the configured one in fixed time; no configured key matches nothing.</summary>
    public static bool KeyMatches(string? given, string? expected) =>
        !string.IsNullOrEmpty(given) && !string.IsNullOrEmpty(expected)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
