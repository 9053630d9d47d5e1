using Hubbub.Core;
using Hubbub.Server.Auth;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Hubbub.Server.Api;

/// <summary>
/// Completes the OpenAPI document (<c>/openapi/v1.json</c>): the server's version, and how the REST API authenticates —
/// a JWT bearer token (the same tokens as <c>/ws</c>) or the server's <c>X-Api-Key</c> — declared as security schemes
/// and required on every <c>/api</c> operation (the server API, <c>/api/publish</c>, takes the key only), so generated
/// clients and API pages send credentials.
/// </summary>
internal sealed class OpenApiSecurity : IOpenApiDocumentTransformer
{
    /// <summary>The bearer scheme's name in the document.</summary>
    public const string BearerScheme = "Bearer";

    /// <summary>The API key scheme's name in the document.</summary>
    public const string ApiKeyScheme = "ApiKey";

    /// <inheritdoc />
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Hubbub";
        document.Info.Version = HubbubVersion.Current;
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A user's token (HS256, signed with Auth:SigningKey; claim sub = user id): the user acts as themself.",
        };
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = RequestIdentity.ApiKeyHeader,
            Description = "The server's Auth:ApiKey, for backends: acts for the user named by \"user\" in the body or ?user=.",
        };
        var bearer = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] };
        var apiKey = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [] };
        foreach (var (path, item) in document.Paths)
        {
            if (!path.StartsWith("/api/", StringComparison.Ordinal) || item.Operations is null)
            {
                continue;
            }
            foreach (var operation in item.Operations.Values)
            {
                // Two requirements: either one will do.
                operation.Security = path == "/api/publish" ? [apiKey] : [bearer, apiKey];
            }
        }
        return Task.CompletedTask;
    }
}
