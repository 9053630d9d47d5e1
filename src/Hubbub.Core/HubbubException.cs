using Hubbub.Protocol;

namespace Hubbub.Core;

/// <summary>
/// A refusal with a protocol error code. Thrown by core operations and feature services; transports turn it
/// into an <c>error</c> frame or an HTTP problem. Its message is shown to the client, so it must say what was
/// wrong without leaking internals.
/// </summary>
public sealed class HubbubException : Exception
{
    /// <summary>Creates a refusal with one of <see cref="ErrorCodes"/>.</summary>
    public HubbubException(string code, string message) : base(message) => Code = code;

    /// <summary>
    /// Creates a refusal with one of <see cref="ErrorCodes"/> and a machine-readable <paramref name="reason"/> for
    /// codes that cover several refusals (<c>conflict</c> / <c>bid_too_low</c>).
    /// </summary>
    public HubbubException(string code, string reason, string message) : base(message)
    {
        Code = code;
        Reason = reason;
    }

    /// <summary>One of <see cref="ErrorCodes"/>.</summary>
    public string Code { get; }

    /// <summary>Which of the refusals sharing <see cref="Code"/> this is (snake_case), or null.</summary>
    public string? Reason { get; }

    public static HubbubException BadRequest(string message) => new(ErrorCodes.BadRequest, message);
    public static HubbubException Forbidden(string message) => new(ErrorCodes.Forbidden, message);
    public static HubbubException NotFound(string message) => new(ErrorCodes.NotFound, message);
    public static HubbubException Conflict(string message) => new(ErrorCodes.Conflict, message);
    public static HubbubException TooLarge(string message) => new(ErrorCodes.TooLarge, message);
}
