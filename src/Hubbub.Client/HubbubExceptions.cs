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
}

/// <summary>
/// A request could not get an answer: the connection was lost after it was sent (the server may or may not have
/// acted on it), it was dropped from the full offline queue, it timed out, or the client stopped.
/// </summary>
public sealed class HubbubConnectionException : HubbubException
{
    /// <summary>Creates one.</summary>
    public HubbubConnectionException() { }

    /// <summary>Creates one with a message.</summary>
    public HubbubConnectionException(string message) : base(message) { }

    /// <summary>Creates one with a message and a cause.</summary>
    public HubbubConnectionException(string message, Exception innerException) : base(message, innerException) { }
}
