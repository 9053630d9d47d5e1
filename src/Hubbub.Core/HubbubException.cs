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

    /// <summary>One of <see cref="ErrorCodes"/>.</summary>
    public string Code { get; }

    public static HubbubException BadRequest(string message) => new(ErrorCodes.BadRequest, message);
    public static HubbubException Forbidden(string message) => new(ErrorCodes.Forbidden, message);
    public static HubbubException NotFound(string message) => new(ErrorCodes.NotFound, message);
    public static HubbubException Conflict(string message) => new(ErrorCodes.Conflict, message);
    public static HubbubException TooLarge(string message) => new(ErrorCodes.TooLarge, message);
}
