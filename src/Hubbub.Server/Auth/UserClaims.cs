using System.Globalization;
using System.Security.Claims;
using Hubbub.Core;
using Microsoft.IdentityModel.Tokens;

namespace Hubbub.Server.Auth;

/// <summary>
/// Reads a token's <see cref="HubbubUser"/> from its claims in one pass: the first <c>sub</c>, <c>name</c> and <c>exp</c>
/// and every <c>roles</c> and <c>channels</c>, in the order and with the claim-type comparison the principal's
/// <c>FindFirst</c>/<c>FindAll</c> would use (ordinal for the JWT library's <see cref="CaseSensitiveClaimsIdentity"/>,
/// ignoring case for a plain <see cref="ClaimsIdentity"/>). Five lookups one after another were a predicate, an
/// enumerator and a list or an iterator each on every connect (4.6 % of the bytes a connect allocated, measured).
/// </summary>
internal struct UserClaims
{
    private string? _id;
    private string? _name;
    private string? _exp;
    private List<string>? _roles;
    private List<string>? _channels;

    /// <summary>
    /// The user a principal's claims sign in, or null when it has no non-empty <c>sub</c>: what
    /// <see cref="AuthenticationSetup.HasSubject"/> and <see cref="AuthenticationSetup.ToHubbubUser"/> together answer.
    /// </summary>
    public static HubbubUser? Of(ClaimsPrincipal principal)
    {
        // Another principal or identity type may find claims its own way: it is asked, one claim type at a time.
        if (principal.GetType() != typeof(ClaimsPrincipal))
        {
            return ByLookups(principal);
        }
        var claims = new UserClaims();
        foreach (var identity in principal.Identities)
        {
            if (identity is null)
            {
                continue;
            }
            if (ComparisonOf(identity) is not { } comparison)
            {
                return ByLookups(principal);
            }
            claims.Read(identity.Claims, comparison);
        }
        return claims.User();
    }

    /// <summary>The user <paramref name="claims"/> of one identity sign in, claim types compared with <paramref name="comparison"/>.</summary>
    public static HubbubUser? Of(IEnumerable<Claim> claims, StringComparison comparison)
    {
        var read = new UserClaims();
        read.Read(claims, comparison);
        return read.User();
    }

    private void Read(IEnumerable<Claim> claims, StringComparison comparison)
    {
        foreach (var claim in claims)
        {
            if (claim is null)
            {
                continue;
            }
            var type = claim.Type;
            if (string.Equals(type, "sub", comparison))
            {
                _id ??= claim.Value;
            }
            else if (string.Equals(type, "name", comparison))
            {
                _name ??= claim.Value;
            }
            else if (string.Equals(type, "roles", comparison))
            {
                (_roles ??= []).Add(claim.Value);
            }
            else if (string.Equals(type, "exp", comparison))
            {
                _exp ??= claim.Value;
            }
            else if (string.Equals(type, "channels", comparison))
            {
                (_channels ??= []).Add(claim.Value);
            }
        }
    }

    private readonly HubbubUser? User() => string.IsNullOrEmpty(_id)
        ? null
        : new HubbubUser(_id, string.IsNullOrWhiteSpace(_name) ? _id : _name, _roles?.ToArray() ?? [])
        {
            ExpiresAt = ExpiryOf(_exp),
            Channels = _channels?.ToArray() ?? [],
        };

    /// <summary>exp is a NumericDate (<see cref="TokenRules"/>): seconds, possibly with a fraction, which the expiry does not need.</summary>
    internal static DateTimeOffset? ExpiryOf(string? exp) =>
        double.TryParse(exp, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and < 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds((long)seconds)
            : null;

    /// <summary>How <paramref name="identity"/>'s <c>FindFirst(string)</c> compares claim types; null for a type not known here.</summary>
    private static StringComparison? ComparisonOf(ClaimsIdentity identity)
    {
        var type = identity.GetType();
        return type == typeof(CaseSensitiveClaimsIdentity) ? StringComparison.Ordinal
            : type == typeof(ClaimsIdentity) ? StringComparison.OrdinalIgnoreCase
            : null;
    }

    private static HubbubUser? ByLookups(ClaimsPrincipal principal) =>
        AuthenticationSetup.HasSubject(principal) ? principal.ToHubbubUser() : null;
}
