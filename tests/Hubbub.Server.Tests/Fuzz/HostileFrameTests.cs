using System.Collections.Concurrent;
using System.Text.Json;
using CsCheck;

namespace Hubbub.Server.Tests.Fuzz;

/// <summary>
/// Issue 22, hostile input: random and mutated WebSocket frames (<see cref="FrameGen"/>) sent over a raw socket to a
/// real server, each run followed by a valid <c>ping</c>. Whatever came, the connection either answers the ping
/// (every text frame before it a well-formed answer, errors with a protocol code and a message) or is closed with a
/// close frame whose code PROTOCOL.md and docs/protocol.md document (1002 protocol violation, 1007 invalid UTF-8,
/// 1009 too large), never an undocumented code and never silence; afterwards the server is healthy. (A reset that
/// beats the close frame is counted; since the input drain after 1002/1007 it should not happen, see
/// docs/reliability.md and CloseAfterBadFramingTests.)
/// </summary>
public sealed class HostileFrameTests(FuzzServer fuzz) : IClassFixture<FuzzServer>
{
    /// <summary>About 5 s here on a loaded 2-core machine; three runs of 3,000 on random seeds found nothing more.</summary>
    private const int Cases = 500;

    /// <summary>The same cases every run; <c>CsCheck_Seed</c> in the environment explores others.</summary>
    private static readonly string Seed = Environment.GetEnvironmentVariable("CsCheck_Seed") ?? "0N0XIzNsQ0O1";

    private static readonly int[] DocumentedCloses = [1002, 1007, 1009];

    private static readonly string Probe = """{"type":"ping","id":"probe"}""";

    private static int s_users;

    [Fact]
    public async Task Random_and_mutated_frames_get_answers_or_a_documented_close_code_and_the_server_stays_healthy()
    {
        var outcomes = new ConcurrentDictionary<string, int>();
        await FrameGen.Cases.SampleAsync(async frames =>
        {
            await using var socket = await RawWebSocket.OpenAsync(fuzz.Server, $"frames{Interlocked.Increment(ref s_users)}");
            // Reading from before the write: a server that closes at once (1002, 1007) resets the connection while
            // the rest of the write is unread, and a reader that starts late may find the reset before the close frame.
            var reading = OutcomeAsync(socket, frames);
            await socket.SendAsync([.. frames.Render(), .. RawWebSocket.Text(Probe)]);
            var outcome = await reading;
            outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        }, seed: Seed, iter: Cases, threads: 4, print: c => c.ToString());

        // Not vacuous: many runs kept the connection, and each kind of refusal came up.
        var summary = string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}"));
        Assert.True(outcomes.GetValueOrDefault("alive") > 20, summary);
        Assert.True(outcomes.GetValueOrDefault("close 1002") > 0, summary);
        Assert.True(outcomes.GetValueOrDefault("close 1007") > 0, summary);
        Assert.True(outcomes.GetValueOrDefault("close 1009") + outcomes.GetValueOrDefault("reset without a close frame") > 0, summary);
        // Report the split, so a fix of the open finding shows in the test output.
        Console.WriteLine($"HostileFrameTests outcomes: {summary}");
        await fuzz.AssertHealthyAsync();
    }

    /// <summary>Reads until the probe's pong or the end; throws on anything that is not a clear answer.</summary>
    private static async Task<string> OutcomeAsync(RawWebSocket socket, FrameGen.Case frames)
    {
        for (var i = 0; i < 100; i++)
        {
            var frame = await socket.ReceiveAsync(TimeSpan.FromSeconds(5));
            switch (frame.Opcode)
            {
                case -2:
                    throw new InvalidOperationException("neither the ping's pong nor a close within 5 s");
                case -1:
                    // Fixed finding (docs/reliability.md, "Hostile input"; CloseAfterBadFramingTests): when the WebSocket layer itself failed the
                    // connection (1002, 1007), and sometimes after 1009, the server closes the socket with the client's
                    // input unread, the kernel answers with a reset, and the client may lose the close frame (and an
                    // error frame before it). Counted, not hidden; a hang or an undocumented code still fails.
                    return frames.SendsClose ? "ended after the client's close" : "reset without a close frame";
                case 9 or 10:
                    continue; // the WebSocket layer's own ping/pong
                case 8:
                    if (!frames.SendsClose && !DocumentedCloses.Contains(frame.CloseCode))
                    {
                        throw new InvalidOperationException($"closed with {frame.CloseCode}, which the protocol does not document");
                    }
                    return frames.SendsClose ? "close answering the client's" : $"close {frame.CloseCode}";
                case 1:
                    if (IsProbeAnswer(frame.Text))
                    {
                        return "alive";
                    }
                    continue;
                default:
                    throw new InvalidOperationException($"the server sent a frame with opcode {frame.Opcode}");
            }
        }
        throw new InvalidOperationException("100 frames and still no answer to the ping");
    }

    /// <summary>Checks one text frame is a well-formed server frame; true when it is the probe's pong.</summary>
    private static bool IsProbeAnswer(string text)
    {
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        var type = root.GetProperty("type").GetString();
        if (type == "error")
        {
            var data = root.GetProperty("data");
            var code = data.GetProperty("code").GetString()!;
            Assert.True(FuzzServer.ErrorCodes.Contains(code) && code != "internal", $"error code {code}: {text}");
            Assert.False(string.IsNullOrWhiteSpace(data.GetProperty("message").GetString()), text);
        }
        return type == "pong" && root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == "probe";
    }
}
