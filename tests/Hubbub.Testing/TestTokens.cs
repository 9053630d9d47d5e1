using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Hubbub.Testing;

/// <summary>Mints JWTs the way an app's own backend would, including broken ones for the refusal tests.</summary>
public static class TestTokens
{
    /// <summary>The key the in-process test servers sign with.</summary>
    public const string Key = "hubbub-test-signing-key-of-32-bytes!!";

    public static string For(string user, string? name = null, string[]? roles = null, TimeSpan? lifetime = null,
        string key = Key, string alg = "HS256", object? extraClaims = null)
    {
        var claims = new Dictionary<string, object?>
        {
            ["sub"] = user,
            ["name"] = name ?? $"User {user}",
            ["exp"] = DateTimeOffset.UtcNow.Add(lifetime ?? TimeSpan.FromHours(1)).ToUnixTimeSeconds(),
        };
        if (roles is not null)
        {
            claims["roles"] = roles;
        }
        if (extraClaims is not null)
        {
            foreach (var p in JsonSerializer.SerializeToElement(extraClaims).EnumerateObject())
            {
                claims[p.Name] = p.Value;
            }
        }
        return Sign(claims, key, alg);
    }

    public static string Sign(IDictionary<string, object?> claims, string key = Key, string alg = "HS256")
    {
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = alg, ["typ"] = "JWT" }));
        var payload = B64(JsonSerializer.SerializeToUtf8Bytes(claims));
        var input = Encoding.ASCII.GetBytes($"{header}.{payload}");
        var signature = alg switch
        {
            "none" => "",
            "HS512" => B64(HMACSHA512.HashData(Encoding.UTF8.GetBytes(key), input)),
            _ => B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), input)),
        };
        return $"{header}.{payload}.{signature}";
    }

    /// <summary>Signs header and payload JSON exactly as written (HS256), for claims a serializer would not write (a "\ud800" escape).</summary>
    public static string SignRaw(string headerJson, string payloadJson, string key = Key)
    {
        var input = $"{B64(Encoding.UTF8.GetBytes(headerJson))}.{B64(Encoding.UTF8.GetBytes(payloadJson))}";
        return $"{input}.{B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes(input)))}";
    }

    /// <summary>A signed token with the usual header and a valid exp, whose other claims are <paramref name="claimsJson"/> (JSON members, no braces).</summary>
    public static string WithClaims(string claimsJson) =>
        SignRaw("""{"alg":"HS256","typ":"JWT"}""", $$"""{"exp":{{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}},{{claimsJson}}}""");

    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
