using System.Text;
using Hubbub.Server.Tests.Fuzz;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>
/// Issue 22: when the WebSocket layer itself fails a connection (1002 broken framing, 1007 invalid UTF-8), the
/// client still receives the close frame with its code and reason, even with much more of its input unread by then.
/// Closing a TCP socket with unread input makes the kernel answer with a reset, which can destroy the close frame
/// in flight; the server drains (reads and drops) the input, bounded in bytes and time, before it closes. Raw
/// sockets over loopback, on both doors (<see cref="TwoDoors"/>).
/// </summary>
public sealed class CloseAfterBadFramingTests(TwoDoors doors) : IClassFixture<TwoDoors>
{
    /// <summary>What the client sends after the bad frame, in the same write: far more than the server reads of it.</summary>
    private const int Trailing = 512 * 1024;

    /// <summary>Tries per case: without the drain the reset won the race in most of them, but not every time.</summary>
    private const int Tries = 12;

    public static TheoryData<string, bool> Cases() => new()
    {
        { "unmasked text frame", true },
        { "unmasked text frame", false },
        { "reserved opcode", true },
        { "invalid UTF-8", true },
        { "invalid UTF-8", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_close_frame_with_its_code_and_reason_arrives_despite_much_unread_input(string bad, bool connectionLayer)
    {
        var server = connectionLayer ? doors.ConnectionLayer : doors.HttpLayer;
        var (frame, code, reason) = Bad(bad);
        var closes = new List<RawWebSocket.Received?>();
        for (var i = 0; i < Tries; i++)
        {
            await using var socket = await RawWebSocket.OpenAsync(server, $"badframing{Guid.NewGuid():N}"[..24]);
            // Sent while reading, and on after the server failed the connection: input it has not read when it ends
            // the TCP connection, which the kernel answers with a reset.
            using var stop = new CancellationTokenSource();
            var sending = SendBadThenJunkAsync(socket, frame, stop.Token);
            closes.Add(await CloseFrameAsync(socket));
            await stop.CancelAsync();
            await socket.DisposeAsync();
            await sending;
        }
        var lost = closes.Count(c => c is null);
        Assert.True(lost == 0, $"{lost} of {Tries} connections ended without the close frame ({bad})");
        foreach (var close in closes)
        {
            Assert.Equal(code, close!.CloseCode);
            Assert.Equal(reason, Encoding.UTF8.GetString(close.Payload.AsSpan(2)));
        }
        Assert.Equal("pong", await PingAsync(server)); // the server is fine
    }

    /// <summary>
    /// The bad frame, then <see cref="Trailing"/> bytes of junk in chunks a few milliseconds apart (junk that parses as
    /// no frame: once the bad frame is read, the server reads no further frame from this connection), until stopped or
    /// the server ended the connection.
    /// </summary>
    private static async Task SendBadThenJunkAsync(RawWebSocket socket, byte[] frame, CancellationToken stop)
    {
        var chunk = new byte[16 * 1024];
        Array.Fill(chunk, (byte)'x');
        try
        {
            if (!await socket.SendAsync(frame))
            {
                return;
            }
            for (var sent = 0; sent < Trailing && !stop.IsCancellationRequested; sent += chunk.Length)
            {
                if (!await socket.SendAsync(chunk))
                {
                    return;
                }
                await Task.Delay(5, CancellationToken.None);
            }
        }
        catch (ObjectDisposedException)
        {
            // The test is done with the socket.
        }
    }

    /// <summary>The bad frame, the close code it must get and that code's documented reason.</summary>
    private static (byte[] Frame, int Code, string Reason) Bad(string bad) => bad switch
    {
        "unmasked text frame" => (RawWebSocket.Frame(true, 0, 1, null, Encoding.UTF8.GetBytes("""{"type":"ping"}""")), 1002, ProtocolReason),
        "reserved opcode" => (RawWebSocket.Frame(true, 0, 3, [1, 2, 3, 4], [1, 2, 3]), 1002, ProtocolReason),
        _ => (RawWebSocket.Frame(true, 0, 1, [1, 2, 3, 4], [.. """{"type":"ping","data":"X"""u8, 0xFF, .. "\"}"u8]), 1007, Utf8Reason),
    };

    private const string ProtocolReason = "protocol error: the frames broke RFC 6455";
    private const string Utf8Reason = "invalid UTF-8 in a text frame";

    /// <summary>Reads up to the close frame (null when the connection ended without one, or nothing came in 10 s).</summary>
    private static async Task<RawWebSocket.Received?> CloseFrameAsync(RawWebSocket socket)
    {
        for (var i = 0; i < 100; i++)
        {
            var received = await socket.ReceiveAsync(TimeSpan.FromSeconds(10));
            if (received.Opcode == 8)
            {
                return received;
            }
            if (received.Ended || received.Silent)
            {
                return null;
            }
        }
        return null;
    }

    private static async Task<string?> PingAsync(TestServer server)
    {
        await using var socket = await RawWebSocket.OpenAsync(server, "badframing-after");
        await socket.SendAsync(RawWebSocket.Text("""{"type":"ping","id":1}"""));
        var answer = await socket.ReceiveAsync(TimeSpan.FromSeconds(10));
        return answer.Opcode == 1 && answer.Text.Contains("\"pong\"", StringComparison.Ordinal) ? "pong" : answer.Text;
    }
}
