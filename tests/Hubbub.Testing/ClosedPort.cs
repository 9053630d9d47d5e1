namespace Hubbub.Testing;

/// <summary>A loopback port nothing listens on (a database or peer that is down).</summary>
public static class ClosedPort
{
    public static int Find() => LoopbackPort.Free();
}
