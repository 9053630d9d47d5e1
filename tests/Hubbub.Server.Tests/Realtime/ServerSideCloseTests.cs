using System.Diagnostics;
using Hubbub.Core;
using Hubbub.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>
/// Every close the server decides on a client that does not read (slow consumer, missed heartbeats, shutdown) ends
/// with the TCP connection gone, on both doors; the user's connection cap counts the socket until then.
/// </summary>
/// <remarks>
/// The client is a raw socket with a 4 KiB receive buffer that subscribes and never reads again: the server's sends
/// back up into its own buffers, so neither the close frame nor anything queued before it can ever be delivered.
/// Whether the server still holds its side is read from the kernel's TCP table.
/// </remarks>
public sealed class ServerSideCloseTests
{
    private const int SmallReceiveBuffer = 4096;
    private static readonly string Big = new('x', 30 * 1024);

    /// <summary>Publications of <see cref="Big"/> that more than fill the kernel's and the transport's buffers: 9 MiB.</summary>
    private const int FillBuffers = 300;

    private static string Channel() => "public:" + Guid.NewGuid().ToString("N");

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task A_slow_consumer_that_never_reads_loses_its_socket_and_only_then_its_place_under_the_cap(string connectionLevelAccept)
    {
        using var server = new TestServer(new()
        {
            ["Hubbub:ConnectionLevelAccept"] = connectionLevelAccept,
            ["Hubbub:SlowConsumerCloseGraceMs"] = "1000",
            ["Hubbub:MaxConnectionsPerUser"] = "1",
        });
        var engine = server.Services.GetRequiredService<HubbubEngine>();
        var channel = Channel();
        using var peer = await SilentPeer.ConnectAsync(server, "stalled", channel, SmallReceiveBuffer);
        var port = server.BaseAddress.Port;
        Assert.True(ServerSockets.IsHeld(port, peer.LocalPort)); // the table is read right: the live socket is there
        await WaitUntilAsync(() => engine.Subscribers.CountOf(channel) == 1, "the peer never subscribed");

        // Big publications back up into the server's buffers (the kernel's send buffer grows to 4 MiB), then into its
        // queue until the queue's byte bound: a close it cannot deliver. (A small queue would be overrun before the
        // buffers fill, by publications faster than any drain, and its close frame would still get through.)
        for (var i = 0; i < 5_000 && !SlowConsumerClosed(server, "stalled"); i++)
        {
            await engine.PublishAsync(channel, null, Payload(i));
        }
        Assert.True(SlowConsumerClosed(server, "stalled"), "the peer was never closed as a slow consumer");

        // The grace passes, the socket is aborted, and the user's cap stops counting the connection only then.
        await WaitUntilAsync(() => engine.Connections.CountOf("stalled") == 0, "the closed connection was never uncounted");
        Assert.True(await ServerSockets.ReleasedWithinAsync(port, peer.LocalPort, TimeSpan.FromSeconds(2)),
            "the connection was uncounted, but the server still holds its socket");
        await using var again = await server.ConnectAsync("stalled"); // the cap's one place is free again
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task A_peer_that_stops_reading_and_misses_its_heartbeats_loses_its_socket(string connectionLevelAccept)
    {
        using var server = new TestServer(new()
        {
            ["Hubbub:ConnectionLevelAccept"] = connectionLevelAccept,
            ["Hubbub:HeartbeatMs"] = "1000",
            ["Hubbub:ClientTimeoutMs"] = "2000",
            ["Hubbub:SendQueueMaxBytes"] = (64 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var engine = server.Services.GetRequiredService<HubbubEngine>();
        var channel = Channel();
        using var peer = await SilentPeer.ConnectAsync(server, "unresponsive", channel, SmallReceiveBuffer);
        var port = server.BaseAddress.Port;
        Assert.True(ServerSockets.IsHeld(port, peer.LocalPort));
        await WaitUntilAsync(() => engine.Subscribers.CountOf(channel) == 1, "the peer never subscribed");

        // Enough to fill every buffer on the way (the kernel's send buffer grows to 4 MiB), well within the queue: no
        // slow-consumer close, only the timeout.
        for (var i = 0; i < FillBuffers; i++)
        {
            await engine.PublishAsync(channel, null, Payload(i));
        }

        await WaitUntilAsync(() => engine.Connections.CountOf("unresponsive") == 0, "the silent peer was never dropped");
        Assert.False(SlowConsumerClosed(server, "unresponsive"));
        Assert.True(await ServerSockets.ReleasedWithinAsync(port, peer.LocalPort, TimeSpan.FromSeconds(2)),
            "the connection was dropped, but the server still holds its socket");
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task Shutdown_does_not_wait_for_a_peer_that_never_reads(string connectionLevelAccept)
    {
        var server = new TestServer(new()
        {
            ["Hubbub:ConnectionLevelAccept"] = connectionLevelAccept,
            ["Hubbub:ShutdownGraceMs"] = "1000",
            ["Hubbub:SlowConsumerCloseGraceMs"] = "1000",
            ["Hubbub:SendQueueMaxBytes"] = (64 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var engine = server.Services.GetRequiredService<HubbubEngine>();
        var channel = Channel();
        using var peer = await SilentPeer.ConnectAsync(server, "stuck", channel, SmallReceiveBuffer);
        await WaitUntilAsync(() => engine.Subscribers.CountOf(channel) == 1, "the peer never subscribed");
        for (var i = 0; i < FillBuffers; i++)
        {
            await engine.PublishAsync(channel, null, Payload(i));
        }

        // The 1001 close cannot reach the peer; shutdown aborts it once its grace is over instead of waiting for the
        // host's own timeout (30 s) with the socket held.
        var stopping = Stopwatch.StartNew();
        server.Dispose();
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(15), $"shutdown took {stopping.Elapsed}");
    }

    private static byte[] Payload(int i) => System.Text.Encoding.UTF8.GetBytes($$"""{"i":{{i}},"big":"{{Big}}"}""");

    private static bool SlowConsumerClosed(TestServer server, string user) =>
        server.Logs.Any(line => line.Contains($"of user {user} is a slow consumer", StringComparison.Ordinal));

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, failure);
            await Task.Delay(20);
        }
    }
}
