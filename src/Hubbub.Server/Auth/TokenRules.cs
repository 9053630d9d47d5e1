using System.Text.Json;
using Hubbub.Core.Channels;
using Hubbub.Features.Kit.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Hubbub.Server.Auth;

/// <summary>
/// What Hubbub requires of a token beyond its signature, lifetime, issuer and audience. Checked by
/// <see cref="HmacTokenValidator"/>, which every token passes through on both <c>/ws</c> doors and the REST API, so
/// a token is refused alike everywhere: 401, never a session that breaks later (a NUL in a name once made
/// PostgreSQL refuse every message of that user).
/// </summary>
internal static class TokenRules
{
    private static readonly string[] NumericDates = ["exp", "nbf", "iat"];

    /// <summary>Throws <see cref="SecurityTokenMalformedException"/> naming the first rule <paramref name="token"/> breaks.</summary>
    public static void Check(JsonWebToken token)
    {
        // RFC 7515 §4.1.11: a recipient must refuse a token whose "crit" lists an extension it does not understand.
        // Hubbub understands none, so any "crit" is refused.
        if (token.TryGetHeaderValue<object>("crit", out _))
        {
            throw Refuse("the token has a 'crit' header with extensions this server does not understand");
        }
        try
        {
            using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
            var claims = payload.RootElement;
            // RFC 7519 §2: NumericDate is a JSON number; the JWT library would also read "exp":"9999999999".
            foreach (var claim in NumericDates)
            {
                if (claims.TryGetProperty(claim, out var date) && date.ValueKind != JsonValueKind.Number)
                {
                    throw Refuse($"the token's '{claim}' is not a number");
                }
            }
            if (!claims.TryGetProperty("sub", out var sub) || sub.ValueKind != JsonValueKind.String || !UserIds.IsValid(sub.GetString()))
            {
                throw Refuse($"the token's 'sub' must be a user id: 1 to {UserIds.MaxLength} letters, digits and _ - . : @ = , |");
            }
            if (claims.TryGetProperty("name", out var name) && name.ValueKind != JsonValueKind.Null
                && (name.ValueKind != JsonValueKind.String || !DisplayNames.IsValid(name.GetString()!)))
            {
                throw Refuse($"the token's 'name' must be text of at most {DisplayNames.MaxLength} characters without control characters");
            }
            if (claims.TryGetProperty("channels", out var channels) && !AreChannelGrants(channels))
            {
                throw Refuse($"the token's 'channels' must be a channel name or pattern (ns:name, ns:prefix*) or an array of at most {ChannelGrants.MaxEntries} of them");
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            // An unpaired surrogate escape ("\ud800") cannot even be read as a string.
            throw Refuse("the token's claims are not valid JSON text");
        }
    }

    /// <summary>A <c>channels</c> claim: one grant as text, or an array of at most <see cref="ChannelGrants.MaxEntries"/>.</summary>
    private static bool AreChannelGrants(JsonElement channels)
    {
        switch (channels.ValueKind)
        {
            case JsonValueKind.String:
                return ChannelGrants.IsValidPattern(channels.GetString());
            case JsonValueKind.Array when channels.GetArrayLength() <= ChannelGrants.MaxEntries:
                foreach (var grant in channels.EnumerateArray())
                {
                    if (grant.ValueKind != JsonValueKind.String || !ChannelGrants.IsValidPattern(grant.GetString()))
                    {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }

    private static SecurityTokenMalformedException Refuse(string message) => new(message);
}
