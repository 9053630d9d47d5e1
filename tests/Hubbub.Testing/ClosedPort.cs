using System.Net;
using System.Net.Sockets;

namespace Hubbub.Testing;

/// <summary>A loopback port nothing listens on (one the OS just handed out and that was closed again).</summary>
public static class ClosedPort
{
    public static int Find()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
