using System.Security.Claims;
using Hubbub.Core;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Auth;

/// <summary>
/// Checks the token of a <c>/ws</c> upgrade with exactly the JWT bearer scheme's handlers and validation
/// parameters (the same checks as the REST API), and keeps nothing of it but the <see cref="HubbubUser"/>.
/// The authentication middleware would keep the parsed token, its claims and a cached result in the request
/// for as long as the socket lives (about 4.4 KB per connection, measured); a WebSocket needs the user only.
/// </summary>
public sealed class SocketAuthenticator(IOptionsMonitor<JwtBearerOptions> jwt)
{
    private const string BearerPrefix = "Bearer ";

    /// <summary>The signed-in user, or null when the request carries no valid token.</summary>
    public async Task<HubbubUser?> AuthenticateAsync(HttpRequest request)
    {
        var token = TokenOf(request);
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        var options = jwt.Get(JwtBearerDefaults.AuthenticationScheme);
        foreach (var handler in options.TokenHandlers)
        {
            var result = await handler.ValidateTokenAsync(token, options.TokenValidationParameters);
            if (result.IsValid && result.ClaimsIdentity is { } identity)
            {
                // The REST scheme refuses a token without 'sub' (OnTokenValidated); so does the socket.
                return string.IsNullOrEmpty(identity.FindFirst("sub")?.Value) ? null : new ClaimsPrincipal(identity).ToHubbubUser();
            }
        }
        return null;
    }

    /// <summary>As the bearer scheme reads it: <c>Authorization: Bearer</c>, else one <c>access_token</c> query value.</summary>
    private static string? TokenOf(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return authorization[BearerPrefix.Length..].Trim();
        }
        // Parsed here rather than through Request.Query, which would keep the parsed query for the socket's lifetime.
        return QueryHelpers.ParseNullableQuery(request.QueryString.Value) is { } query
            && query.TryGetValue("access_token", out var token) && token.Count == 1 ? token[0] : null;
    }
}
