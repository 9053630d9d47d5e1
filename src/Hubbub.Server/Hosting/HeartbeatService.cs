using Hubbub.Core;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Hosting;

/// <summary>
/// Sends the application-level heartbeat to quiet connections: every connection is visited twice per heartbeat interval,
/// a part of them at a time (<see cref="Parts"/> sweeps per half interval, one heartbeat phase each), so the WebSocket
/// keep-alive's PINGs that go with the heartbeat, and their PONGs, are spread over the interval.
/// </summary>
public sealed class HeartbeatService(HubbubEngine engine, IOptions<HubbubOptions> options, TimeProvider time) : BackgroundService
{
    /// <summary>The shortest time between two sweeps.</summary>
    private const int MinTickMs = 10;

    /// <summary>
    /// How many sweeps share the half heartbeat: 64 (at the default 25 s, one every 195 ms, each visiting 1/64 of the
    /// connections), or fewer (a power of two) when the heartbeat is so short (under 1.28 s) that 64 would come closer
    /// together than <see cref="MinTickMs"/>.
    /// </summary>
    internal static int Parts(int heartbeatMs)
    {
        var parts = 64;
        while (parts > 1 && heartbeatMs / 2 / parts < MinTickMs)
        {
            parts /= 2;
        }
        return parts;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var heartbeatMs = options.Value.HeartbeatMs;
        var parts = Parts(heartbeatMs);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(MinTickMs, heartbeatMs / 2.0 / parts)), time);
        var part = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await engine.SendHeartbeatsAsync(part, parts);
                part = (part + 1) % parts;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
