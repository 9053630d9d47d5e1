using Hubbub.Core;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Hosting;

/// <summary>
/// Sends the application-level heartbeat to quiet connections, twice per heartbeat interval; each sweep is spread over
/// three quarters of its half interval (in groups of the connections, see <see cref="HubbubEngine.SendHeartbeatsAsync"/>),
/// so the WebSocket keep-alive's PINGs that go with the heartbeat, and their PONGs, do not all come at once.
/// </summary>
public sealed class HeartbeatService(HubbubEngine engine, IOptions<HubbubOptions> options, TimeProvider time) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var half = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.HeartbeatMs / 2));
        using var timer = new PeriodicTimer(half, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await engine.SendHeartbeatsAsync(spreadOver: half * 0.75);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
