using System.Security.Claims;
using Hubbub.Core;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Hubbub.Server.Auth;

/// <summary>
/// Checks the token of a <c>/ws</c> upgrade with exactly the JWT bearer scheme's handlers and validation
/// parameters (the same checks as the REST API), and keeps nothing of it but the <see cref="HubbubUser"/>.
/// The authentication middleware would keep the parsed token, its claims and a cached result in the request
/// for as long as the socket lives (about 4.4 KB per connection, measured); a WebSocket needs the user only.
/// </summary>
public sealed class SocketAuthenticator(IOptionsMonitor<JwtBearerOptions> jwt) : Hubbub.Core.Seams.ITokenAuthenticator
{
    private const string BearerPrefix = "Bearer ";

    private Prepared? _prepared;

    /// <summary>The signed-in user, or null when the request carries no valid token.</summary>
    public Task<HubbubUser?> AuthenticateAsync(HttpRequest request) =>
        // Read raw rather than through Request.Query, which would keep the parsed query for the socket's lifetime.
        AuthenticateAsync(TokenOf(request.QueryString.Value, request.Headers.Authorization.ToString()));

    /// <summary>The user a token signs in, or null when it is missing or not valid.</summary>
    public async Task<HubbubUser?> AuthenticateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        var options = jwt.Get(JwtBearerDefaults.AuthenticationScheme);
        // Not RequestAborted: reading it makes Kestrel allocate a token source the socket would keep for its lifetime.
        var parameters = _prepared is { } prepared && prepared.IsFor(options)
            ? prepared.Parameters
            : await ParametersAsync(options, CancellationToken.None);
        JsonWebToken? parsed = null;
        foreach (var handler in options.TokenHandlers)
        {
            var result = handler is JsonWebTokenHandler jsonHandler && TryParse(jsonHandler, token, ref parsed)
                ? await HmacTokenValidator.ValidateParsedAsync(jsonHandler, parsed!, parameters)
                : await handler.ValidateTokenAsync(token, parameters);
            if (result.IsValid && parsed is not null && IdentityIsTheTokensClaims(handler, parameters, parsed, result))
            {
                return UserClaims.Of(parsed.Claims, StringComparison.Ordinal);
            }
            if (result.IsValid && result.ClaimsIdentity is { } identity)
            {
                return UserClaims.Of(new ClaimsPrincipal(identity));
            }
        }
        return null;
    }

    /// <summary>
    /// Whether the identity <paramref name="result"/> would make (lazily, on first reading its <c>ClaimsIdentity</c>) is
    /// a <see cref="CaseSensitiveClaimsIdentity"/> holding <paramref name="parsed"/>'s own claims, type and value, in
    /// their order: the library's handler, with no claim-type mapping, makes it from the token's claims list and the
    /// parameters' identity factory, which makes that type unless the library's switch asks for a plain
    /// <see cref="ClaimsIdentity"/>. Then the user is read from the token's claims, and the identity (a copy of every
    /// claim with the issuer, a lock object, the principal around it) is never made. A subclass of either, an
    /// encrypted token or the switch set: the identity is read.
    /// </summary>
    private static bool IdentityIsTheTokensClaims(TokenHandler handler, TokenValidationParameters parameters, JsonWebToken parsed, TokenValidationResult result) =>
        handler.GetType() == typeof(JsonWebTokenHandler) && !((JsonWebTokenHandler)handler).MapInboundClaims
        && parameters.GetType() == typeof(TokenValidationParameters)
        && ReferenceEquals(result.SecurityToken, parsed) && parsed.GetType() == typeof(JsonWebToken) && !parsed.IsEncrypted
        && result.Issuer is not null
        && !(AppContext.TryGetSwitch(PlainIdentitySwitch, out var plain) && plain);

    /// <summary>The JWT library's switch that makes it create plain, case-insensitive <see cref="ClaimsIdentity"/> objects.</summary>
    private const string PlainIdentitySwitch = "Microsoft.IdentityModel.Tokens.UseClaimsIdentityType";

    /// <summary>
    /// Parses <paramref name="token"/> once for every JSON web token handler, as the handler's own string overload would
    /// (its size limit, then the compact form); false leaves the string to the handler, which refuses it with its reason.
    /// </summary>
    private static bool TryParse(JsonWebTokenHandler handler, string token, ref JsonWebToken? parsed)
    {
        if (parsed is not null)
        {
            return true;
        }
        if (token.Length > handler.MaximumTokenSizeInBytes || !handler.CanReadToken(token))
        {
            return false;
        }
        try
        {
            parsed = new JsonWebToken(token);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenMalformedException)
        {
            return false;
        }
    }

    /// <summary>
    /// As the bearer scheme reads it: the scheme's message-received event fills the token from one
    /// <c>access_token</c> query value first, and only without one does the handler read <c>Authorization: Bearer</c>.
    /// </summary>
    /// <param name="query">The raw query string, with or without its leading <c>?</c>.</param>
    /// <param name="authorization">The <c>Authorization</c> header.</param>
    public static string? TokenOf(string? query, string? authorization) => TokenOf(query.AsMemory(), authorization);

    /// <inheritdoc cref="TokenOf(string?, string?)"/>
    public static string? TokenOf(ReadOnlyMemory<char> query, string? authorization)
    {
        if (OnlyAccessToken(query) is { IsEmpty: false } fromQuery)
        {
            return fromQuery.ToString();
        }
        authorization ??= string.Empty;
        return authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            ? authorization[BearerPrefix.Length..].Trim()
            : null;
    }

    /// <summary>
    /// The query's <c>access_token</c> value when it has exactly one, decoded; empty otherwise. The pairs are read as
    /// <c>Request.Query</c> reads them (<see cref="QueryHelpers.ParseNullableQuery"/>: the same enumerator, names decoded
    /// and compared ignoring case), without its dictionary and a string for every name and value.
    /// </summary>
    private static ReadOnlyMemory<char> OnlyAccessToken(ReadOnlyMemory<char> query)
    {
        ReadOnlyMemory<char> value = default;
        var count = 0;
        foreach (var pair in new QueryStringEnumerable(query))
        {
            if (pair.DecodeName().Span.Equals(AccessTokenName, StringComparison.OrdinalIgnoreCase) && ++count == 1)
            {
                value = pair.DecodeValue();
            }
        }
        return count == 1 ? value : default;
    }

    private const string AccessTokenName = "access_token";

    /// <summary>
    /// The scheme's validation parameters as its handler prepares them for each request. The handler clones them per
    /// request (a clone was 2.5 % of the bytes a connect allocated, measured); a clone that at most adds the scheme's
    /// own configuration manager is the same for every token, so it is made once per options instance (a reload makes
    /// a new one) and kept in <see cref="_prepared"/>: the validation reads the parameters and never changes them. A
    /// configuration manager of another kind adds a configuration it fetches, which may change: those are prepared per token.
    /// </summary>
    private async Task<TokenValidationParameters> ParametersAsync(JwtBearerOptions options, CancellationToken cancellationToken)
    {
        var parameters = options.TokenValidationParameters.Clone();
        if (options.ConfigurationManager is BaseConfigurationManager manager)
        {
            parameters.ConfigurationManager = manager;
        }
        else if (options.ConfigurationManager is { } other)
        {
            var configuration = await other.GetConfigurationAsync(cancellationToken);
            parameters.ValidIssuers = (parameters.ValidIssuers ?? []).Append(configuration.Issuer);
            parameters.IssuerSigningKeys = (parameters.IssuerSigningKeys ?? []).Concat(configuration.SigningKeys);
            return parameters;
        }
        _prepared = new Prepared(options.TokenValidationParameters, options.ConfigurationManager, parameters);
        return parameters;
    }

    /// <summary>Validation parameters prepared from one options instance's parameters and configuration manager.</summary>
    private sealed record Prepared(TokenValidationParameters Source, object? Manager, TokenValidationParameters Parameters)
    {
        public bool IsFor(JwtBearerOptions options) =>
            ReferenceEquals(Source, options.TokenValidationParameters) && ReferenceEquals(Manager, options.ConfigurationManager);
    }
}
