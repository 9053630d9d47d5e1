using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Hubbub.Server.Auth;

/// <summary>
/// Checks a token's signature: HS256 only, with the configured key. The JWT library still parses the token
/// and checks lifetime, issuer and audience; only the signature step is ours, because the library refuses
/// HMAC keys shorter than 256 bits that other stacks accept, and a user's existing key must keep working.
/// Anything but HS256 (<c>none</c>, RS256 with the key as a public key, HS512…) is refused. A token whose signature
/// holds is then held to <see cref="TokenRules"/> (<c>crit</c>, numeric dates, the user-id and name rules).
/// </summary>
public static class HmacTokenValidator
{
    /// <summary>A <see cref="TokenValidationParameters.SignatureValidator"/> for <paramref name="key"/>.</summary>
    public static SignatureValidator For(byte[] key) => (token, _) =>
    {
        var jwt = new JsonWebToken(token);
        if (!string.Equals(jwt.Alg, SecurityAlgorithms.HmacSha256, StringComparison.Ordinal))
        {
            throw new SecurityTokenInvalidAlgorithmException("only HS256 tokens are accepted");
        }
        var lastDot = token.LastIndexOf('.');
        var signature = token[(lastDot + 1)..];
        if (signature.Length == 0)
        {
            throw new SecurityTokenInvalidSignatureException("the token is not signed");
        }
        byte[] actual;
        try
        {
            actual = Base64UrlEncoder.DecodeBytes(signature);
        }
        catch (FormatException)
        {
            throw new SecurityTokenInvalidSignatureException("the token's signature is not base64url");
        }
        var expected = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(token[..lastDot]));
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            throw new SecurityTokenInvalidSignatureException("the token's signature does not match");
        }
        TokenRules.Check(jwt);
        return jwt;
    };
}
