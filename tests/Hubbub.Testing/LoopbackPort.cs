using System.Net;
using System.Net.Sockets;

namespace Hubbub.Testing;

/// <summary>
/// Ports on 127.0.0.1 for a server a test starts later (a child process, a database, a receiver), or for nothing to
/// listen on. Taken below the kernel's ephemeral range: a port the kernel hands out (port 0) may be taken again a
/// moment later as the local port of one of the thousands of client connections the suites open in parallel, and
/// the server that then tries to listen on it fails with "address already in use".
/// </summary>
public static class LoopbackPort
{
    private static readonly (int Low, int High) Range = BelowEphemeralRange();

    /// <summary>A port nothing was bound to a moment ago, outside the ephemeral range when it can be.</summary>
    public static int Free()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(Range.Low, Range.High);
            if (IsFree(port))
            {
                return port;
            }
        }
        // A crowded range: what the kernel gives.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Server.ExclusiveAddressUse = true;
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>From 10000 to the start of <c>ip_local_port_range</c> (32768 on Linux by default).</summary>
    private static (int Low, int High) BelowEphemeralRange()
    {
        var start = 32768;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            start = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or hidden: the default.
        }
        return start > 12000 ? (10000, start) : (1024, Math.Max(start, 2048));
    }
}
