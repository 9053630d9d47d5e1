using System.Net;
using System.Net.Sockets;

namespace Hubbub.Bench.Infra;

/// <summary>Free loopback ports.</summary>
public static class Ports
{
    private static readonly int EphemeralStart = ReadEphemeralStart();

    /// <summary>
    /// A port that was free a moment ago on 127.0.0.1, for a server started next. Each server start takes a new one,
    /// so earlier runs' TIME_WAIT sockets never collide with the next. Taken below the kernel's ephemeral range: a port
    /// the kernel hands out may become, a moment later, the local port of one of the many client connections a run
    /// opens, and the server would then fail to listen on it.
    /// </summary>
    public static int Free()
    {
        for (var attempt = 0; EphemeralStart > 12000 && attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(10000, EphemeralStart);
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Server.ExclusiveAddressUse = true;
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: another.
            }
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var given = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return given;
    }

    private static int ReadEphemeralStart()
    {
        try
        {
            return int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0],
                System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }
}
