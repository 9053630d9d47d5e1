namespace Hubbub.Testing;

/// <summary>
/// Ports on 127.0.0.1 for a server a test starts later (a child process, a database, a receiver), or for nothing to
/// listen on. Taken below the kernel's ephemeral range: a port the kernel hands out (port 0) may be taken again a
/// moment later as the local port of one of the thousands of client connections the suites open in parallel, and
/// the server that then tries to listen on it fails with "address already in use". The picking is the bench's
/// (<c>bench/Hubbub.Bench/Infra/Ports.cs</c>, compiled into the kit), so the two never drift apart.
/// </summary>
public static class LoopbackPort
{
    /// <summary>A port nothing was bound to a moment ago, outside the ephemeral range when it can be.</summary>
    public static int Free() => Hubbub.Bench.Infra.Ports.Free();
}
