using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Hubbub.Server.Tests.Infrastructure;

/// <summary>What a server made of a request head: its status line's code, or how the connection ended without one.</summary>
/// <param name="Answer">"101", "400", …; "closed" (ended without a byte), or "none" (still open, nothing sent).</param>
/// <param name="Head">The response head as received (up to its blank line), for messages.</param>
/// <param name="Elapsed">From the first byte sent to the answer (or the end).</param>
public sealed record HeadOutcome(string Answer, string Head, TimeSpan Elapsed)
{
    /// <summary>True when Kestrel's HTTP layer wrote the answer: it always adds its <c>Server</c> header.</summary>
    public bool FromHttpLayer => Head.Contains("\r\nServer: Kestrel\r\n", StringComparison.Ordinal);
}

/// <summary>Sends raw request heads, whole or in timed pieces, and reads what the server answers.</summary>
public static class HeadExchange
{
    /// <summary>The first <paramref name="pieces"/> go out as they come, then whatever it answers within <paramref name="wait"/>.</summary>
    public static async Task<HeadOutcome> SendAsync(TestServer server, TimeSpan wait, params (TimeSpan Delay, byte[] Bytes)[] pieces)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var stream = client.GetStream();
        var clock = Stopwatch.StartNew();
        var started = false;
        using var stop = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            foreach (var (delay, bytes) in pieces)
            {
                await Task.Delay(delay, stop.Token);
                if (!started)
                {
                    clock.Restart();
                    started = true;
                }
                await stream.WriteAsync(bytes, stop.Token);
            }
        });
        try
        {
            return await ReadAnswerAsync(stream, clock, wait);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await sending;
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The server closed first, or the test is done: what was not sent no longer matters.
            }
        }
    }

    /// <summary>Sends <paramref name="head"/> in one write.</summary>
    public static Task<HeadOutcome> SendAsync(TestServer server, byte[] head, TimeSpan wait) =>
        SendAsync(server, wait, (TimeSpan.Zero, head));

    private static async Task<HeadOutcome> ReadAnswerAsync(NetworkStream stream, Stopwatch clock, TimeSpan wait)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }
                received.Append(Encoding.Latin1.GetString(buffer, 0, read));
                var end = received.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    received.Length = end + 4;
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return new HeadOutcome(received.Length == 0 ? "none" : "partial", received.ToString(), clock.Elapsed);
        }
        catch (IOException)
        {
            // Reset: the same as a close for what the server answered.
        }
        var text = received.ToString();
        var answer = text.Length == 0 ? "closed"
            : text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && text.Length >= 12 ? text[9..12]
            : "garbled";
        return new HeadOutcome(answer, text, clock.Elapsed);
    }
}
