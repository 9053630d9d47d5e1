namespace Hubbub.Core.Connections;

/// <summary>
/// What happens around a connection's reader, run by the connection's own <see cref="ClientConnection.RunAsync"/>:
/// the host that admitted it hands Kestrel that task itself instead of awaiting it, so no second async state machine
/// (the host's) stays pending for every idle connection's whole life.
/// </summary>
internal interface IConnectionLifecycle
{
    /// <summary>Before the reader starts (observers, expiry watch, welcome).</summary>
    ValueTask OpenedAsync(ClientConnection connection);

    /// <summary>After the reader and the last drain are done, or after <see cref="OpenedAsync"/> or the reader failed.</summary>
    ValueTask EndedAsync(ClientConnection connection);
}
