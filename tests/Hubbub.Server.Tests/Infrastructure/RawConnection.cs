using System.Net.Sockets;
using System.Text;

namespace Hubbub.Server.Tests.Infrastructure;

/// <summary>
/// A plain TCP connection to the test server for what no HTTP or WebSocket client sends: a handshake and a frame
/// in one write, half a request, a request and then an upgrade on the same connection. Every read is bounded.
/// </summary>
public sealed class RawConnection : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawConnection> OpenAsync(TestServer server)
    {
        var client = new TcpClient();
        await client.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        return new RawConnection(client);
    }

    /// <summary>RFC 6455's example <c>Sec-WebSocket-Key</c>, which <see cref="UpgradeHead"/> sends.</summary>
    public const string UpgradeKey = "dGhlIHNhbXBsZSBub25jZQ==";

    /// <summary>The head of a WebSocket upgrade of <paramref name="target"/>, as a browser sends it.</summary>
    public static string UpgradeHead(TestServer server, string target, string? origin = null) =>
        $"GET {target} HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + $"Sec-WebSocket-Key: {UpgradeKey}\r\nSec-WebSocket-Version: 13\r\n"
        + (origin is null ? "" : $"Origin: {origin}\r\n") + "\r\n";

    /// <summary>RFC 6455's example accept value for the key of <see cref="UpgradeHead"/>.</summary>
    public const string ExpectedAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    public async Task SendAsync(params byte[][] parts)
    {
        // One write, so the server receives the parts together.
        await _stream.WriteAsync(parts.SelectMany(p => p).ToArray());
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>A masked client text frame (what a client must send).</summary>
    public static byte[] TextFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        if (payload.Length > 125)
        {
            throw new ArgumentException("short frames only", nameof(text));
        }
        byte[] mask = [0x12, 0x34, 0x56, 0x78];
        var frame = new byte[6 + payload.Length];
        frame[0] = 0x81;
        frame[1] = (byte)(0x80 | payload.Length);
        mask.CopyTo(frame, 2);
        for (var i = 0; i < payload.Length; i++)
        {
            frame[6 + i] = (byte)(payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    /// <summary>Reads a response head (up to its blank line).</summary>
    public Task<string> ReadHeadAsync() => ReadUntilAsync("\r\n\r\n");

    /// <summary>Reads up to and including <paramref name="terminator"/> (or the end of the connection, or 16 KiB).</summary>
    public async Task<string> ReadUntilAsync(string terminator)
    {
        var read = new StringBuilder();
        using var cts = new CancellationTokenSource(Wait);
        var one = new byte[1];
        while (read.Length < 16 * 1024 && await _stream.ReadAsync(one, cts.Token) > 0)
        {
            read.Append((char)one[0]);
            if (read.Length >= terminator.Length && read.ToString(read.Length - terminator.Length, terminator.Length) == terminator)
            {
                break;
            }
        }
        return read.ToString();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes.</summary>
    public async Task<byte[]> ReadExactlyAsync(int count)
    {
        var bytes = new byte[count];
        using var cts = new CancellationTokenSource(Wait);
        await _stream.ReadExactlyAsync(bytes, cts.Token);
        return bytes;
    }

    /// <summary>Reads one unmasked server text frame of up to 64 KiB and returns its text.</summary>
    public async Task<string> ReadTextFrameAsync()
    {
        var header = await ReadExactlyAsync(2);
        Assert.Equal(0x81, header[0]);
        var length = header[1] & 0x7F;
        if (length == 126)
        {
            var extended = await ReadExactlyAsync(2);
            length = (extended[0] << 8) | extended[1];
        }
        Assert.NotEqual(127, length);
        return Encoding.UTF8.GetString(await ReadExactlyAsync(length));
    }

    /// <summary>True when the server ends the connection (after anything it still sends) within <paramref name="within"/>.</summary>
    public async Task<bool> EndsWithinAsync(TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        var buffer = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true; // reset
        }
    }

    /// <summary>One read of the socket: every byte that has arrived (up to 16 KiB), waiting for the first if none has.</summary>
    public async Task<byte[]> ReadOnceAsync()
    {
        var buffer = new byte[16 * 1024];
        using var cts = new CancellationTokenSource(Wait);
        var read = await _stream.ReadAsync(buffer, cts.Token);
        return buffer[..read];
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
