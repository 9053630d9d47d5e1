namespace Hubbub.Core.Connections;

/// <summary>
/// The TCP connection a WebSocket runs on, as the door that accepted it holds it. The engine ends it once the
/// WebSocket is done, and only then stops counting the connection against its user's cap
/// (<see cref="HubbubOptions.MaxConnectionsPerUser"/>): a socket the server still holds, with whatever it buffers for
/// a client that does not read, still counts.
/// </summary>
public interface ITransportEnd
{
    /// <summary>
    /// Ends the TCP connection. When <paramref name="closeHandshakeCompleted"/> (both close frames exchanged) it may
    /// end gracefully, what is still buffered sent first, but bounded: a client that stopped reading must not hold it.
    /// Otherwise (the socket was aborted after the close grace or by the keep-alive timeout, a send failed, the
    /// client never answered the server's close frame) it is aborted at once. Called once, before the door returns.
    /// </summary>
    ValueTask EndAsync(bool closeHandshakeCompleted);
}
