using System.Net.Sockets;
using System.Text;

namespace Hubbub.Server.Tests.Fuzz;

/// <summary>
/// A WebSocket spoken byte by byte over a plain TCP connection, so a test can send what no WebSocket client would
/// (any opcode, RSV bits, unmasked frames, lying fragments, invalid UTF-8) and read every frame the server sends,
/// close frames included. Every read is bounded.
/// </summary>
internal sealed class RawWebSocket : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawWebSocket(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    /// <summary>One server frame, or how the reading ended.</summary>
    /// <param name="Opcode">The frame's opcode, or -1 when the connection ended, -2 when nothing came in time.</param>
    /// <param name="Payload">The payload.</param>
    internal sealed record Received(int Opcode, byte[] Payload)
    {
        public bool Ended => Opcode == -1;

        public bool Silent => Opcode == -2;

        /// <summary>A close frame's status code (1005 when it carries none).</summary>
        public int CloseCode => Payload.Length >= 2 ? (Payload[0] << 8) | Payload[1] : 1005;

        public string Text => Encoding.UTF8.GetString(Payload);
    }

    /// <summary>Upgrades <c>/ws</c> as <paramref name="user"/> and reads the 101 and the <c>welcome</c> frame.</summary>
    public static async Task<RawWebSocket> OpenAsync(TestServer server, string user)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var socket = new RawWebSocket(client);
        var head = $"GET /ws?access_token={TestTokens.For(user)} HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        var answer = await socket.ReadHeadAsync();
        if (!answer.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            await socket.DisposeAsync();
            throw new InvalidOperationException($"upgrade refused: {answer}");
        }
        var welcome = await socket.ReceiveAsync(TimeSpan.FromSeconds(10));
        if (welcome.Opcode != 1 || !welcome.Text.Contains("\"welcome\"", StringComparison.Ordinal))
        {
            await socket.DisposeAsync();
            throw new InvalidOperationException($"no welcome: {welcome.Opcode} {welcome.Text}");
        }
        return socket;
    }

    /// <summary>Writes <paramref name="bytes"/> as they are; false when the server already closed the connection.</summary>
    public async Task<bool> SendAsync(byte[] bytes)
    {
        try
        {
            await _stream.WriteAsync(bytes);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Reads one frame within <paramref name="within"/>.</summary>
    public async Task<Received> ReceiveAsync(TimeSpan within)
    {
        using var bound = new CancellationTokenSource(within);
        try
        {
            var header = await ReadAsync(2, bound.Token);
            long length = header[1] & 0x7F;
            if (length == 126)
            {
                var extended = await ReadAsync(2, bound.Token);
                length = (extended[0] << 8) | extended[1];
            }
            else if (length == 127)
            {
                var extended = await ReadAsync(8, bound.Token);
                length = extended.Aggregate(0L, (total, b) => (total << 8) | b);
            }
            if (length > 1 << 20)
            {
                throw new InvalidOperationException($"a server frame of {length} bytes");
            }
            return new Received(header[0] & 0x0F, await ReadAsync((int)length, bound.Token));
        }
        catch (OperationCanceledException)
        {
            return new Received(-2, []);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException)
        {
            return new Received(-1, []);
        }
    }

    /// <summary>A client frame: masked unless <paramref name="mask"/> is null; the length in its shortest form, or
    /// forced into the 16-bit (<paramref name="lengthForm"/> 1) or 64-bit (2) form.</summary>
    public static byte[] Frame(bool fin, int rsv, int opcode, byte[]? mask, byte[] payload, int lengthForm = 0)
    {
        var head = new List<byte> { (byte)((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0F)) };
        var maskBit = mask is null ? 0 : 0x80;
        if (payload.Length < 126 && lengthForm == 0)
        {
            head.Add((byte)(maskBit | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue && lengthForm < 2)
        {
            head.Add((byte)(maskBit | 126));
            head.Add((byte)(payload.Length >> 8));
            head.Add((byte)payload.Length);
        }
        else
        {
            head.Add((byte)(maskBit | 127));
            for (var shift = 56; shift >= 0; shift -= 8)
            {
                head.Add((byte)((long)payload.Length >> shift));
            }
        }
        if (mask is null)
        {
            return [.. head, .. payload];
        }
        var masked = new byte[payload.Length];
        for (var i = 0; i < payload.Length; i++)
        {
            masked[i] = (byte)(payload[i] ^ mask[i % 4]);
        }
        return [.. head, .. mask, .. masked];
    }

    /// <summary>An ordinary masked text frame.</summary>
    public static byte[] Text(string text) => Frame(true, 0, 1, [0x37, 0xfa, 0x21, 0x3d], Encoding.UTF8.GetBytes(text));

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<byte[]> ReadAsync(int count, CancellationToken cancellationToken)
    {
        var bytes = new byte[count];
        await _stream.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }

    private async Task<string> ReadHeadAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = new StringBuilder();
        var one = new byte[1];
        while (read.Length < 16 * 1024 && await _stream.ReadAsync(one, bound.Token) > 0)
        {
            read.Append((char)one[0]);
            if (read.Length >= 4 && read.ToString(read.Length - 4, 4) == "\r\n\r\n")
            {
                break;
            }
        }
        return read.ToString();
    }
}
