using Hubbub.Core;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Hosting;

/// <summary>Sends the application-level heartbeat to quiet connections, twice per heartbeat interval.</summary>
public sealed class HeartbeatService(HubbubEngine engine, IOptions<HubbubOptions> options, TimeProvider time) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(10, options.Value.HeartbeatMs / 2)), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await engine.SendHeartbeatsAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
