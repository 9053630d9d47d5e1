using Hubbub.Features.Kit.Http;
using System.Security.Claims;
using Hubbub.Core;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Hubbub.Server.Auth;

/// <summary>JWT bearer authentication for the WebSocket and the REST API.</summary>
public static class AuthenticationSetup
{
    /// <summary>
    /// Adds JWT bearer authentication: HS256 with <c>Auth:SigningKey</c>, token from <c>Authorization: Bearer</c>
    /// or the <c>access_token</c> query parameter (browsers cannot set headers on a WebSocket), issuer and
    /// audience checked only when configured, and <c>sub</c> required.
    /// </summary>
    public static IServiceCollection AddHubbubAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<SigningKeyProvider>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<SocketAuthenticator>();
        services.AddSingleton<Hubbub.Core.Seams.ITokenAuthenticator>(sp => sp.GetRequiredService<SocketAuthenticator>());
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKeyProvider, IOptions<AuthOptions>>((jwt, key, auth) =>
            {
                var o = auth.Value;
                jwt.MapInboundClaims = false;
                jwt.RequireHttpsMetadata = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    SignatureValidator = HmacTokenValidator.For(key.Key),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    ValidateLifetime = true,
                    ClockSkew = TimeSpan.FromSeconds(o.ClockSkewSeconds),
                    ValidateIssuer = !string.IsNullOrEmpty(o.Issuer),
                    ValidIssuer = o.Issuer,
                    ValidateAudience = !string.IsNullOrEmpty(o.Audience),
                    ValidAudience = o.Audience,
                    ValidateIssuerSigningKey = false,
                    NameClaimType = "name",
                    RoleClaimType = "roles",
                };
                jwt.Events = new JwtBearerEvents
                {
                    OnMessageReceived = context =>
                    {
                        if (string.IsNullOrEmpty(context.Token)
                            && context.Request.Query.TryGetValue("access_token", out var token) && token.Count == 1)
                        {
                            context.Token = token[0];
                        }
                        return Task.CompletedTask;
                    },
                    OnChallenge = async context =>
                    {
                        // Every REST refusal carries the protocol's error body, the 401 included.
                        context.HandleResponse();
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        await context.Response.WriteAsJsonAsync(
                            new ApiError(Hubbub.Protocol.ErrorCodes.Unauthorized,
                                "a valid token is required (Authorization: Bearer or access_token)"),
                            KitHttpJsonContext.ErrorBody);
                    },
                    OnTokenValidated = context =>
                    {
                        if (!HasSubject(context.Principal))
                        {
                            context.Fail("the token has no 'sub' claim");
                        }
                        return Task.CompletedTask;
                    },
                };
            });
        services.AddAuthorization();
        return services;
    }

    /// <summary>Whether a validated token names its user (<c>sub</c>); both the REST scheme and <c>/ws</c> require it.</summary>
    internal static bool HasSubject(ClaimsPrincipal? principal) => !string.IsNullOrEmpty(principal?.FindFirst("sub")?.Value);

    /// <summary>
    /// The Hubbub user of an authenticated principal, its claims looked up one type at a time (<see cref="UserClaims"/>
    /// reads them in one pass and asks this only for principal or identity types it does not know).
    /// </summary>
    public static HubbubUser ToHubbubUser(this ClaimsPrincipal principal)
    {
        var id = principal.FindFirst("sub")?.Value ?? throw new InvalidOperationException("principal has no sub");
        var name = principal.FindFirst("name")?.Value;
        var roles = principal.FindAll("roles").Select(c => c.Value).ToArray();
        return new HubbubUser(id, string.IsNullOrWhiteSpace(name) ? id : name, roles)
        {
            ExpiresAt = UserClaims.ExpiryOf(principal.FindFirst("exp")?.Value),
            Channels = principal.FindAll("channels").Select(c => c.Value).ToArray(),
        };
    }
}
