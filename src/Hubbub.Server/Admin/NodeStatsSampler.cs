namespace Hubbub.Server.Admin;

/// <summary>Samples the publish rate every second (<see cref="NodeStats.Sample"/>).</summary>
internal sealed class NodeStatsSampler(NodeStats stats, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        stats.Sample();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                stats.Sample();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
