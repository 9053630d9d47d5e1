using System.Net;
using System.Net.Sockets;

namespace Hubbub.Bench.Infra;

/// <summary>Free loopback ports.</summary>
public static class Ports
{
    /// <summary>A port that was free a moment ago on 127.0.0.1. Each server start takes a new one, so earlier
    /// runs' TIME_WAIT sockets never collide with the next.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
