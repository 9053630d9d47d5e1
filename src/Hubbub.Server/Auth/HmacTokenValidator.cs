using System.Buffers;
using System.Buffers.Text;
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
    [ThreadStatic]
    private static JsonWebToken? t_parsed;

    /// <summary>
    /// Validates <paramref name="token"/> (already parsed) with <paramref name="handler"/>, letting the signature step
    /// reuse the parse instead of parsing the token a second time (a connect parsed each token twice, and the token
    /// rules' claim check a third time).
    /// </summary>
    public static Task<TokenValidationResult> ValidateParsedAsync(JsonWebTokenHandler handler, JsonWebToken token, TokenValidationParameters parameters)
    {
        // Cleared on this thread as soon as the call returns (the synchronous part, where the signature is checked, is over).
        t_parsed = token;
        try
        {
            return handler.ValidateTokenAsync(token, parameters);
        }
        finally
        {
            t_parsed = null;
        }
    }

    /// <summary>A <see cref="TokenValidationParameters.SignatureValidator"/> for <paramref name="key"/>.</summary>
    public static SignatureValidator For(byte[] key) => (token, _) =>
    {
        // The token the socket door parsed just before, on this thread (the validation runs synchronously up to here
        // without a configuration manager): the same string instance, so the same token; anything else is parsed here.
        var jwt = t_parsed is { } parsed && ReferenceEquals(parsed.EncodedToken, token) ? parsed : new JsonWebToken(token);
        if (!string.Equals(jwt.Alg, SecurityAlgorithms.HmacSha256, StringComparison.Ordinal))
        {
            throw new SecurityTokenInvalidAlgorithmException("only HS256 tokens are accepted");
        }
        var lastDot = token.LastIndexOf('.');
        var signature = token.AsSpan(lastDot + 1);
        if (signature.Length == 0)
        {
            throw new SecurityTokenInvalidSignatureException("the token is not signed");
        }
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HashSigned(key, token.AsSpan(0, lastDot), expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, SignatureBytes(signature, stackalloc byte[HMACSHA256.HashSizeInBytes])))
        {
            throw new SecurityTokenInvalidSignatureException("the token's signature does not match");
        }
        TokenRules.Check(jwt);
        return jwt;
    };

    /// <summary>
    /// A signed HS256 token's signature is 43 base64url characters (32 bytes, the last character's two spare bits
    /// zero). Such a signature is decoded into <paramref name="destination"/>; any other is decoded as the JWT library
    /// decodes it, refused as that decoder refuses it. The two decoders agree on every canonical signature; the
    /// library's returns a new array (and makes two more on its way) and needs the signature as a string of its own.
    /// </summary>
    private static ReadOnlySpan<byte> SignatureBytes(ReadOnlySpan<char> signature, Span<byte> destination)
    {
        if (signature.Length == CanonicalSignatureLength && CanonicalLastCharacters.Contains(signature[^1])
            && Base64Url.TryDecodeFromChars(signature, destination, out var written) && written == destination.Length)
        {
            return destination;
        }
        try
        {
            return Base64UrlEncoder.DecodeBytes(signature.ToString());
        }
        catch (FormatException)
        {
            throw new SecurityTokenInvalidSignatureException("the token's signature is not base64url");
        }
    }

    /// <summary>HMAC-SHA256 of the signed part's ASCII bytes (a non-ASCII character counts as '?', as <see cref="Encoding.ASCII"/> writes it).</summary>
    private static void HashSigned(byte[] key, ReadOnlySpan<char> signed, Span<byte> destination)
    {
        const int OnStack = 1024;
        byte[]? rented = null;
        var bytes = signed.Length <= OnStack ? stackalloc byte[OnStack] : (rented = ArrayPool<byte>.Shared.Rent(signed.Length));
        try
        {
            var length = Encoding.ASCII.GetBytes(signed, bytes);
            HMACSHA256.HashData(key, bytes[..length], destination);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private const int CanonicalSignatureLength = 43;

    /// <summary>The base64url characters whose low two bits are zero: the only ones that may end a canonical 32-byte encoding.</summary>
    private static readonly SearchValues<char> CanonicalLastCharacters = SearchValues.Create("AEIMQUYcgkosw048");
}
