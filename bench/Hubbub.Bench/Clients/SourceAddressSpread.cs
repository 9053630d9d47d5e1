using System.Net;
using System.Net.Sockets;

namespace Hubbub.Bench.Clients;

/// <summary>
/// Spreads the load generator's connections over several loopback source addresses (127.0.0.1, 127.0.0.2, …): towards
/// one server address and port, one source address has only the ephemeral port range (32768–60999 by default, about
/// 28,000 connections). Off unless a scenario turns it on for its connections (<see cref="Use"/>).
/// </summary>
public static class SourceAddressSpread
{
    private static IPAddress[] _addresses = [];
    private static int _next;

    /// <summary>Whether connections are spread now.</summary>
    public static bool Active => Volatile.Read(ref _addresses).Length > 0;

    /// <summary>Ephemeral ports per source address, from /proc (the Linux default when unreadable).</summary>
    public static int PortsPerAddress()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) - int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) + 1;
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return 60999 - 32768 + 1;
        }
    }

    /// <summary>
    /// Spreads connections over enough source addresses for <paramref name="connections"/> (with a third to spare, and at
    /// least one) until the returned scope is disposed. Returns how many addresses.
    /// </summary>
    public static IDisposable Use(int connections, out int addressCount)
    {
        var perAddress = PortsPerAddress() * 3 / 4;
        addressCount = Math.Clamp((connections + perAddress - 1) / perAddress, 1, 250);
        Volatile.Write(ref _addresses, [.. Enumerable.Range(1, addressCount).Select(i => new IPAddress([127, 0, 0, (byte)i]))]);
        return new Scope();
    }

    /// <summary>The source address the next connection binds to, or null when connections are not spread.</summary>
    public static IPAddress? NextSource()
    {
        var addresses = Volatile.Read(ref _addresses);
        return addresses.Length > 0 ? addresses[(int)((uint)Interlocked.Increment(ref _next) % (uint)addresses.Length)] : null;
    }

    /// <summary>The handler's connect callback: bind to the next source address, then connect.</summary>
    internal static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = Volatile.Read(ref _addresses);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (addresses.Length > 0)
            {
                var source = addresses[(int)((uint)Interlocked.Increment(ref _next) % (uint)addresses.Length)];
                socket.Bind(new IPEndPoint(source, 0));
            }
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private sealed class Scope : IDisposable
    {
        public void Dispose() => Volatile.Write(ref _addresses, []);
    }
}
