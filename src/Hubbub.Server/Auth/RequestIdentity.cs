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
        http.User.Identity?.IsAuthenticated == true && AuthenticationSetup.HasSubject(http.User) ? http.User.ToHubbubUser() : null;

    /// <inheritdoc />
    public bool HasServerKey(HttpContext http) => KeyMatches(http.Request.Headers[ApiKeyHeader], auth.Value.ApiKey);

    /// <summary>Compares a given key with the configured one in fixed time; no configured key matches nothing.</summary>
    public static bool KeyMatches(string? given, string? expected) =>
        !string.IsNullOrEmpty(given) && !string.IsNullOrEmpty(expected)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
