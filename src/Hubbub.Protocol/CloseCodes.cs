namespace Hubbub.Protocol;

/// <summary>
/// WebSocket close codes the server uses. Codes 4000–4399 mean "reconnect (with backoff) and recover";
/// codes 4400–4499 mean "do not reconnect with the same credentials".
/// </summary>
public static class CloseCodes
{
    /// <summary>Normal closure, asked for by the client.</summary>
    public const int Normal = 1000;
    /// <summary>The server is shutting down or restarting: reconnect, possibly to another node.</summary>
    public const int GoingAway = 1001;
    /// <summary>The client broke the WebSocket framing (RFC 6455); sent by the WebSocket layer, with <see cref="ProtocolErrorReason"/>.</summary>
    public const int ProtocolError = 1002;
    /// <summary>The reason sent with <see cref="ProtocolError"/>.</summary>
    public const string ProtocolErrorReason = "protocol error: the frames broke RFC 6455";
    /// <summary>A text frame was not valid UTF-8; sent by the WebSocket layer, with <see cref="InvalidPayloadReason"/>.</summary>
    public const int InvalidPayload = 1007;
    /// <summary>The reason sent with <see cref="InvalidPayload"/>.</summary>
    public const string InvalidPayloadReason = "invalid UTF-8 in a text frame";
    /// <summary>Policy violation: the connection kept flooding after <c>rate_limited</c>.</summary>
    public const int PolicyViolation = 1008;
    /// <summary>A frame exceeded the maximum frame size.</summary>
    public const int MessageTooBig = 1009;
    /// <summary>The server failed unexpectedly.</summary>
    public const int InternalError = 1011;
    /// <summary>The connection could not keep up and its send queue overflowed; reconnect and recover.</summary>
    public const int SlowConsumer = 4000;
    /// <summary>The connection sent nothing (not even a heartbeat answer) for too long.</summary>
    public const int HeartbeatTimeout = 4001;
    /// <summary>
    /// The connection's token expired and no <c>refresh</c> replaced it within the grace period: reconnect only with a
    /// fresh token (an SDK with <c>getToken</c> does; the same token would be refused with 401).
    /// </summary>
    public const int TokenExpired = 4401;
    /// <summary>The user already holds the maximum number of connections.</summary>
    public const int TooManyConnections = 4029;
    /// <summary>The user's access was withdrawn (user banned): do not reconnect with this token. An expired token is <see cref="TokenExpired"/>.</summary>
    public const int Forbidden = 4403;

    /// <summary>True when a client should reconnect after this close code.</summary>
    public static bool ShouldReconnect(int code) => code is not (Normal or Forbidden) && code is < 4400 or > 4499;
}
