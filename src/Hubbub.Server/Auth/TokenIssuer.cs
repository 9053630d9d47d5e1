using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Hubbub.Server.Auth;

/// <summary>Mints HS256 tokens with the server's key: for the <c>token</c> CLI verb and the Development sign-in.</summary>
public sealed class TokenIssuer(SigningKeyProvider key, Microsoft.Extensions.Options.IOptions<AuthOptions> options, TimeProvider time)
{
    /// <summary>A token for <paramref name="userId"/> valid for <paramref name="lifetime"/>.</summary>
    public string Issue(string userId, string? name, IReadOnlyList<string> roles, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        var claims = new Dictionary<string, object>
        {
            ["sub"] = userId,
            ["name"] = string.IsNullOrEmpty(name) ? userId : name,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
        };
        if (roles.Count > 0)
        {
            claims["roles"] = roles.ToArray();
        }
        if (!string.IsNullOrEmpty(options.Value.Issuer))
        {
            claims["iss"] = options.Value.Issuer;
        }
        if (!string.IsNullOrEmpty(options.Value.Audience))
        {
            claims["aud"] = options.Value.Audience;
        }
        var header = Base64UrlEncoder.Encode("""{"alg":"HS256","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode(JsonSerializer.Serialize(claims, TokenJsonContext.Default.DictionaryStringObject));
        var signature = Base64UrlEncoder.Encode(HMACSHA256.HashData(key.Key, Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(long))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<string>))]
internal sealed partial class TokenJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
