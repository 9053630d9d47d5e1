using System.Globalization;

namespace Hubbub.Server.Tests.Infrastructure;

/// <summary>
/// Reads the kernel's TCP tables (<c>/proc/net/tcp</c>, <c>/proc/net/tcp6</c>) to tell whether the server still holds
/// its side of a connection: a socket some process still has open has an inode; one the server closed is gone, or
/// left to the kernel (an orphan finishing its close, inode 0).
/// </summary>
public static class ServerSockets
{
    /// <summary>True while a process holds the socket whose local port is <paramref name="serverPort"/> and remote port <paramref name="clientPort"/>.</summary>
    public static bool IsHeld(int serverPort, int clientPort)
    {
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && PortOf(fields[1]) == serverPort && PortOf(fields[2]) == clientPort && fields[9] != "0")
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Waits (bounded) until the server no longer holds the socket; true when it let go in time.</summary>
    public static async Task<bool> ReleasedWithinAsync(int serverPort, int clientPort, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (IsHeld(serverPort, clientPort))
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }
            await Task.Delay(50);
        }
        return true;
    }

    private static int PortOf(string address) =>
        int.Parse(address.AsSpan(address.IndexOf(':', StringComparison.Ordinal) + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
