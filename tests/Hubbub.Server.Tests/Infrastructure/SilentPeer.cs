using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Hubbub.Server.Tests.Infrastructure;

/// <summary>
/// A peer that completes the WebSocket handshake by hand, subscribes, then never reads or answers again:
/// what a client behind a dead network looks like to the server.
/// </summary>
public sealed class SilentPeer : IDisposable
{
    private readonly TcpClient _tcp;

    private SilentPeer(TcpClient tcp) => _tcp = tcp;

    public static async Task<SilentPeer> ConnectAsync(TestServer server, string user, string channel)
    {
        var tcp = new TcpClient();
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
        var payload = Encoding.UTF8.GetBytes($$$"""{"type":"subscribe","id":1,"data":{"channel":"{{{channel}}}"}}""");
        var frame = new List<byte> { 0x81, (byte)(0x80 | payload.Length) };
        var mask = RandomNumberGenerator.GetBytes(4);
        frame.AddRange(mask);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ mask[i % 4])));
        await stream.WriteAsync(frame.ToArray());
        return new SilentPeer(tcp);
    }

    public void Dispose() => _tcp.Dispose();
}
