using Hubbub.Core;
using Microsoft.Extensions.Options;

namespace Hubbub.Server.Hosting;

/// <summary>
/// Every <see cref="HubbubOptions.NativeMemoryTrimSeconds"/> hands glibc's freed native memory back to the operating
/// system (<see cref="MallocArenas.Trim"/>). Connection churn allocates and frees native memory on many threads (the
/// runtime's and the C libraries' own); glibc keeps what was freed inside its arenas, and in a soak of 1,000 clients
/// churning for minutes less than half of what the arenas held was in use (docs/performance.md, "Soak"). A trim walks
/// the arenas once, a few milliseconds a minute.
/// </summary>
public sealed class NativeMemoryTrimService(IOptions<HubbubOptions> options) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = options.Value.NativeMemoryTrimSeconds;
        if (seconds <= 0 || !MallocArenas.Trim())
        {
            return;
        }
        // Real time: what it paces is the process's memory, not anything of the domain clock.
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                MallocArenas.Trim();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
