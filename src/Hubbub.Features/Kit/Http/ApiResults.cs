using Hubbub.Core;
using Hubbub.Protocol;

namespace Hubbub.Features.Kit.Http;

/// <summary>Maps protocol error codes to HTTP, so REST endpoints and WebSocket commands refuse alike.</summary>
public static class ApiResults
{
    /// <summary>The HTTP status of an error code.</summary>
    public static int StatusOf(string code) => code switch
    {
        ErrorCodes.BadRequest => StatusCodes.Status400BadRequest,
        ErrorCodes.Unauthorized => StatusCodes.Status401Unauthorized,
        ErrorCodes.Forbidden => StatusCodes.Status403Forbidden,
        ErrorCodes.NotFound => StatusCodes.Status404NotFound,
        ErrorCodes.Conflict => StatusCodes.Status409Conflict,
        ErrorCodes.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCodes.RateLimited => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>An error response for a refusal.</summary>
    public static IResult From(HubbubException ex) =>
        TypedResults.Json(new ApiError(ex.Code, ex.Message, ex.Reason), KitHttpJsonContext.ErrorBody, statusCode: StatusOf(ex.Code));
}
