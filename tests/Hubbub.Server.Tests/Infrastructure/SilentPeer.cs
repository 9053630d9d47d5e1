using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Hubbub.Server.Tests.Infrastructure;

/// <summary>
/// A peer that completes the WebSocket handshake by hand, subscribes, then never reads or answers again:
/// what a client behind a dead network looks like to the server. With a small receive buffer it is also the client
/// that stops reading on purpose, so the server's sends back up into its own buffers.
/// </summary>
public sealed class SilentPeer : IDisposable
{
    private readonly TcpClient _tcp;

    private SilentPeer(TcpClient tcp) => _tcp = tcp;

    /// <summary>This end's port: with the server's port it names the connection in the kernel's tables.</summary>
    public int LocalPort => ((IPEndPoint)_tcp.Client.LocalEndPoint!).Port;

    /// <param name="receiveBufferSize">SO_RCVBUF, set before connecting (so the advertised window is that small too).</param>
    public static async Task<SilentPeer> ConnectAsync(TestServer server, string user, string channel, int? receiveBufferSize = null)
    {
        var tcp = new TcpClient();
        if (receiveBufferSize is { } size)
        {
            tcp.ReceiveBufferSize = size;
        }
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var stream = tcp.GetStream();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var token = TestTokens.For(user);
        var request = $"GET /ws?access_token={token} HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nUpgrade: websocket\r\n" +
                      $"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer);
        Assert.StartsWith("HTTP/1.1 101", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);

        // One masked text frame: subscribe. Then silence.
        var peer = new SilentPeer(tcp);
        await peer.SendTextAsync($$$"""{"type":"subscribe","id":1,"data":{"channel":"{{{channel}}}"}}""");
        return peer;
    }

    /// <summary>Sends one masked text frame (up to 64 KiB), without reading anything.</summary>
    public async Task SendTextAsync(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var frame = new List<byte> { 0x81 };
        if (payload.Length < 126)
        {
            frame.Add((byte)(0x80 | payload.Length));
        }
        else
        {
            frame.AddRange([0x80 | 126, (byte)(payload.Length >> 8), (byte)payload.Length]);
        }
        var mask = RandomNumberGenerator.GetBytes(4);
        frame.AddRange(mask);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ mask[i % 4])));
        await _tcp.GetStream().WriteAsync(frame.ToArray());
    }

    public void Dispose() => _tcp.Dispose();
}
