using Hubbub.Features.Kit.Declaring;
using Hubbub.Features.Kit.Http;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hubbub.Core;
using Hubbub.Protocol;
using Hubbub.Server.Api;
using Hubbub.Server.Auth;

namespace Hubbub.Server.WebConsole;

/// <summary>
/// The web console's Development sign-in: <c>GET /api/dev</c> says the picker is available and
/// <c>POST /api/dev/token {user, name, admin?}</c> mints a token for anyone (with role <c>admin</c> when asked, so
/// staff pages such as a venue kiosk can be tried); <c>POST /api/dev/seed</c>, which the picker calls, stores the
/// features' demo data (<see cref="IDevelopmentSeed"/>) on a fresh database, so a newcomer's first page is alive while
/// the API of a fresh server stays empty. Mapped only when the environment is Development, so outside it these paths are
/// plain 404s and no one can mint tokens without the key.
/// </summary>
public static class DevTokenEndpoint
{
    /// <summary>The longest user id or display name accepted.</summary>
    public const int MaxLength = 64;

    /// <summary>How long a Development token lives: a working day.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private const int MaxBodyBytes = 4096;

    private const string AdminRole = "admin";

    /// <summary>Maps the two endpoints when <paramref name="environment"/> is Development; otherwise nothing.</summary>
    public static IEndpointRouteBuilder MapDevTokenEndpoint(this IEndpointRouteBuilder app, IHostEnvironment environment)
    {
        if (!environment.IsDevelopment())
        {
            return app;
        }
        app.MapGet("/api/dev", () => TypedResults.Json(new DevInfo(true), DevJsonContext.Default.DevInfo))
            .WithName("DevInfo").ExcludeFromDescription();
        app.MapPost("/api/dev/token", MintAsync).WithName("DevToken").ExcludeFromDescription();
        app.MapPost("/api/dev/seed", SeedAsync).WithName("DevSeed").ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> MintAsync(HttpContext context, TokenIssuer issuer, CancellationToken cancellationToken)
    {
        DevTokenRequest request;
        try
        {
            request = await JsonBody.ReadAsync(context.Request, DevJsonContext.Default.DevTokenRequest, MaxBodyBytes, cancellationToken);
        }
        catch (HubbubException ex)
        {
            return Error(ex.Code, ex.Message);
        }
        var user = request.User?.Trim();
        if (string.IsNullOrEmpty(user) || user.Length > MaxLength || !user.All(IsIdChar))
        {
            return Error(ErrorCodes.BadRequest, $"'user' must be 1 to {MaxLength} letters, digits, '-', '_' or '.'");
        }
        var name = request.Name?.Trim();
        if (name is { Length: > MaxLength } || (name is not null && name.Any(char.IsControl)))
        {
            return Error(ErrorCodes.BadRequest, $"'name' must be at most {MaxLength} characters, without control characters");
        }
        var token = issuer.Issue(user, string.IsNullOrEmpty(name) ? user : name, request.Admin == true ? [AdminRole] : [], Lifetime);
        return TypedResults.Json(new DevTokenReply(token), DevJsonContext.Default.DevTokenReply);
    }

    private static async Task<IResult> SeedAsync(IEnumerable<IDevelopmentSeed> seeds, CancellationToken cancellationToken)
    {
        var seeded = false;
        foreach (var seed in seeds)
        {
            seeded |= await seed.SeedAsync(cancellationToken);
        }
        return TypedResults.Json(new DevSeedReply(seeded), DevJsonContext.Default.DevSeedReply);
    }

    private static bool IsIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    private static IResult Error(string code, string message) =>
        TypedResults.Json(new ApiError(code, message), KitHttpJsonContext.ErrorBody, statusCode: ApiResults.StatusOf(code));
}

/// <summary>The body of <c>POST /api/dev/token</c>.</summary>
public sealed record DevTokenRequest(string? User, string? Name, bool? Admin = null);

/// <summary>The answer of <c>POST /api/dev/token</c>.</summary>
public sealed record DevTokenReply(string Token);

/// <summary>The answer of <c>POST /api/dev/seed</c>: whether this call stored demo data (false when it was there already or is off).</summary>
public sealed record DevSeedReply(bool Seeded);

/// <summary>The answer of <c>GET /api/dev</c>.</summary>
public sealed record DevInfo(bool Development);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DevTokenRequest))]
[JsonSerializable(typeof(DevTokenReply))]
[JsonSerializable(typeof(DevInfo))]
[JsonSerializable(typeof(DevSeedReply))]
internal sealed partial class DevJsonContext : JsonSerializerContext;
