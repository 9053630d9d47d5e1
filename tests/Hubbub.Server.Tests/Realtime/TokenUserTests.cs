using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Hubbub.Core;
using Hubbub.Server.Auth;
using Hubbub.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>
/// The socket door reads a token's user from the token's own claims in one pass, without the claims identity the JWT
/// library would make, and checks the signature without the library's decoder when it is a canonical one: each must
/// answer exactly what the library's identity and decoder answer.
/// </summary>
public sealed class TokenUserTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private readonly TestServer _server = shared.Server;

    public static TheoryData<string, string> Tokens() => new()
    {
        { "roles and channels as arrays", TestTokens.WithClaims("""
            "sub":"u1","name":"Ada","roles":["admin","x"],"channels":["team:1","orders:*"]
            """) },
        { "roles and channels as text", TestTokens.WithClaims("""
            "sub":"u2","roles":"admin","channels":"team:2"
            """) },
        { "no name", TestTokens.WithClaims("""
            "sub":"u3"
            """) },
        { "a null name", TestTokens.WithClaims("""
            "sub":"u4","name":null
            """) },
        { "claim names in other cases, roles of other JSON types", TestTokens.WithClaims("""
            "Sub":"other","sub":"u5","NAME":"Upper","Roles":["admin"],"roles":[1,true,{"a":1},null,1.5],"EXP":1
            """) },
        { "nested roles", TestTokens.WithClaims("""
            "sub":"u6","roles":[["admin","b"],"c"]
            """) },
        { "an issuer and an actor", TestTokens.WithClaims("""
            "iss":"someone","sub":"u7","actort":"not-a-token"
            """) },
        { "an exp with a fraction", TestTokens.SignRaw("""{"alg":"HS256","typ":"JWT"}""", """{"sub":"u8","exp":4102444800.75}""") },
        { "an empty sub", TestTokens.WithClaims("""
            "sub":""
            """) },
        { "no sub", TestTokens.WithClaims("""
            "name":"nobody"
            """) },
    };

    [Theory]
    [MemberData(nameof(Tokens))]
    public async Task A_tokens_user_is_the_one_the_librarys_claims_identity_names(string why, string token)
    {
        var options = _server.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        var result = await options.TokenHandlers[0].ValidateTokenAsync(token, options.TokenValidationParameters);
        var principal = result.IsValid ? new ClaimsPrincipal(result.ClaimsIdentity) : null;
        var expected = !string.IsNullOrEmpty(principal?.FindFirst("sub")?.Value) ? principal!.ToHubbubUser() : null;

        var actual = await _server.Services.GetRequiredService<SocketAuthenticator>().AuthenticateAsync(token);

        Assert.True(Same(expected, actual), $"{why}: expected {Describe(expected)}, got {Describe(actual)}");
    }

    [Fact]
    public async Task A_signature_written_another_way_is_accepted_exactly_when_the_librarys_decoder_reads_the_right_bytes()
    {
        var authenticator = _server.Services.GetRequiredService<SocketAuthenticator>();
        var checkedVariants = 0;
        for (var i = 0; i < 40; i++)
        {
            var token = TestTokens.For($"s{i}");
            var lastDot = token.LastIndexOf('.');
            var signed = token[..lastDot];
            var signature = token[(lastDot + 1)..];
            var hmac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestTokens.Key), Encoding.ASCII.GetBytes(signed));
            foreach (var variant in Variants(signature))
            {
                var libraryMatches = LibraryDecodes(variant) is { } bytes && bytes.AsSpan().SequenceEqual(hmac);
                var accepted = await authenticator.AuthenticateAsync($"{signed}.{variant}") is not null;
                Assert.True(libraryMatches == accepted, $"signature {variant} of {signature}: library {libraryMatches}, door {accepted}");
                checkedVariants++;
            }
        }
        Assert.True(checkedVariants > 200);
    }

    public static TheoryData<string?> Queries() => new()
    {
        null, "", "?", "?access_token=abc", "access_token=abc", "?ACCESS_TOKEN=abc", "?Access_Token=abc", "?access%5Ftoken=abc",
        "?access%5ftoken=abc", "?access_token=a%2Bb+c", "?access_token=&access_token=x", "?access_token=x&access_token=y",
        "?access_token=x&ACCESS_TOKEN=y", "?access_token", "?access_token=", "?x=1&access_token=tok&y=2", "?&&access_token=t&&",
        "?access_token=t=u", "?=v&access_token=t", "?access+token=t", "?access_token=%E2%82%AC", "?access_token=%ZZ%",
        "?access_token%3Dt", "?access_token =t", "?%61ccess_token=t", "?access_token=t#frag",
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public void A_query_token_is_the_one_Request_Query_would_give_the_bearer_scheme(string? query)
    {
        foreach (var authorization in new[] { null, "", "Bearer h", "bearer  h2 ", "Basic x", "Bearer" })
        {
            Assert.Equal(ByDictionary(query, authorization), SocketAuthenticator.TokenOf(query, authorization));
        }
    }

    /// <summary>The token as it was read before: the query parsed into <c>Request.Query</c>'s dictionary.</summary>
    private static string? ByDictionary(string? query, string? authorization)
    {
        if (Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseNullableQuery(query) is { } values
            && values.TryGetValue("access_token", out var fromQuery) && fromQuery.Count == 1 && !string.IsNullOrEmpty(fromQuery[0]))
        {
            return fromQuery[0];
        }
        authorization ??= string.Empty;
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    /// <summary>The signature itself, its last character with other spare bits, the standard alphabet, padding, a character fewer.</summary>
    private static IEnumerable<string> Variants(string signature)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        yield return signature;
        var last = Alphabet.IndexOf(signature[^1], StringComparison.Ordinal);
        for (var spare = 1; spare < 4; spare++)
        {
            yield return signature[..^1] + Alphabet[(last & ~3) + spare];
        }
        yield return signature[..^1] + Alphabet[(last + 4) % 64];
        yield return signature.Replace('-', '+').Replace('_', '/');
        yield return signature + "=";
        yield return signature[..^1];
    }

    private static byte[]? LibraryDecodes(string signature)
    {
        try
        {
            return Base64UrlEncoder.DecodeBytes(signature);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool Same(HubbubUser? a, HubbubUser? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.Id == b.Id && a.Name == b.Name && a.ExpiresAt == b.ExpiresAt
              && a.Roles.SequenceEqual(b.Roles) && a.Channels.SequenceEqual(b.Channels);

    private static string Describe(HubbubUser? user) => user is null
        ? "nobody"
        : $"{user.Id} '{user.Name}' roles [{string.Join(",", user.Roles)}] channels [{string.Join(",", user.Channels)}] expires {user.ExpiresAt:O}";
}
