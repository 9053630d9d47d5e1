namespace Hubbub.Client;

/// <summary>Base of every exception the SDK throws on purpose.</summary>
public class HubbubException : Exception
{
    /// <summary>Creates one.</summary>
    public HubbubException() { }

    /// <summary>Creates one with a message.</summary>
    public HubbubException(string message) : base(message) { }

    /// <summary>Creates one with a message and a cause.</summary>
    public HubbubException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The server answered a request with <c>{"type":"error"}</c>. <see cref="Code"/> is one of <see cref="Hubbub.Protocol.ErrorCodes"/>.</summary>
public sealed class HubbubRequestException : HubbubException
{
    /// <summary>Creates one.</summary>
    public HubbubRequestException() : this("internal", "request failed", "") { }

    /// <summary>Creates one with a message.</summary>
    public HubbubRequestException(string message) : this("internal", message, "") { }

    /// <summary>Creates one with a message and a cause.</summary>
    public HubbubRequestException(string message, Exception innerException) : base(message, innerException)
    {
        Code = "internal";
        RequestType = "";
    }

    /// <summary>Creates one from an error frame.</summary>
    public HubbubRequestException(string code, string message, string requestType) : base($"{requestType} failed: {code}: {message}")
    {
        Code = code;
        RequestType = requestType;
        ServerMessage = message;
    }

    /// <summary>The error code, e.g. <c>forbidden</c> or <c>bad_request</c>.</summary>
    public string Code { get; }

    /// <summary>The request's type, e.g. <c>publish</c>.</summary>
    public string RequestType { get; }

    /// <summary>The server's human-readable message.</summary>
    public string? ServerMessage { get; }

    /// <summary>
    /// The feature's machine-readable refinement of <see cref="Code"/>, e.g. <c>bid_too_low</c> or
    /// <c>insufficient_funds</c> for a <c>conflict</c>; null when the server sent none. The same as
    /// <see cref="HubbubRestException.Reason"/> for the REST call.
    /// </summary>
    public string? Reason { get; init; }
}

/// <summary>
/// A request could not get an answer: the connection was lost after it was sent (the server may or may not have
/// acted on it), it was dropped from the full offline queue, it was not sent because the client was offline and
/// queueing was off, it timed out, or the client stopped.
/// </summary>
public sealed class HubbubConnectionException : HubbubException
{
    /// <summary>Creates one.</summary>
    public HubbubConnectionException() { }

    /// <summary>Creates one with a message.</summary>
    public HubbubConnectionException(string message) : base(message) { }

    /// <summary>Creates one with a message and a cause.</summary>
    public HubbubConnectionException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates one saying whether the request certainly never left the client.</summary>
    public HubbubConnectionException(string message, bool neverSent) : base(message) => NeverSent = neverSent;

    /// <summary>
    /// True when the request certainly never reached the socket (offline with <see cref="CallOptions.Queue"/> false or
    /// the queue off, or dropped from the full queue): the server did not act on it, and the client will not send it.
    /// False when it is unknown.
    /// </summary>
    public bool NeverSent { get; }
}

/// <summary>
/// A REST call through <see cref="HubbubRestClient"/> that the server answered with an error status. <see cref="Code"/>
/// is the server's (<c>bad_request</c>, <c>forbidden</c>, <c>conflict</c>…, or derived from the status when the body
/// was not JSON); <see cref="Reason"/> the feature's machine-readable refinement, e.g. <c>bid_too_low</c>.
/// </summary>
public sealed class HubbubRestException : HubbubException
{
    /// <summary>Creates one.</summary>
    public HubbubRestException() : this("internal", null, "request failed", System.Net.HttpStatusCode.InternalServerError, "", "") { }

    /// <summary>Creates one with a message.</summary>
    public HubbubRestException(string message) : this("internal", null, message, System.Net.HttpStatusCode.InternalServerError, "", "") { }

    /// <summary>Creates one with a message and a cause.</summary>
    public HubbubRestException(string message, Exception innerException) : base(message, innerException)
    {
        Code = "internal";
        Method = "";
        Path = "";
        ServerMessage = message;
    }

    /// <summary>Creates one from an error answer.</summary>
    public HubbubRestException(string code, string? reason, string message, System.Net.HttpStatusCode status, string method, string path)
        : base($"{method} {path} failed: {(int)status} {code}{(reason is null ? "" : $" ({reason})")}: {message}")
    {
        Code = code;
        Reason = reason;
        ServerMessage = message;
        StatusCode = status;
        Method = method;
        Path = path;
    }

    /// <summary>The error code, e.g. <c>conflict</c>.</summary>
    public string Code { get; }

    /// <summary>The feature's reason, e.g. <c>bid_too_low</c>; null when the server sent none.</summary>
    public string? Reason { get; }

    /// <summary>The server's human-readable message.</summary>
    public string ServerMessage { get; }

    /// <summary>The HTTP status.</summary>
    public System.Net.HttpStatusCode StatusCode { get; }

    /// <summary>The HTTP method called.</summary>
    public string Method { get; }

    /// <summary>The path called, e.g. <c>/api/auctions/7/bids</c>.</summary>
    public string Path { get; }
}
