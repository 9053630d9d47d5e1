namespace Hubbub.Core.Connections;

/// <summary>
/// Lets a feature follow connections opening and closing on this node (online status, last seen) without
/// touching the transport. Register implementations as services; the engine calls each one, in order.
/// A failing observer is logged and does not affect the connection or the other observers.
/// </summary>
public interface IConnectionObserver
{
    /// <summary>
    /// A connection was accepted. Called before its <c>welcome</c> is sent, which waits for every observer:
    /// keep it short and leave slow work (database writes, announcements) running in the background.
    /// </summary>
    ValueTask OnOpenedAsync(ClientConnection connection, CancellationToken cancellationToken);

    /// <summary>A connection ended (closed, dropped or cut off); its subscriptions are already gone.</summary>
    ValueTask OnClosedAsync(ClientConnection connection, CancellationToken cancellationToken);
}
