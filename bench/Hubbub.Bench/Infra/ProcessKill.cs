using System.Diagnostics;

namespace Hubbub.Bench.Infra;

/// <summary>Ends a process the bench started, for good, within a bound.</summary>
public static class ProcessKill
{
    /// <summary>
    /// SIGKILLs <paramref name="process"/> (with its children when <paramref name="entireTree"/>), waits up to
    /// <paramref name="bound"/> for it to exit, then disposes it. A process already gone, or one that would not die
    /// within the bound, is not an error: nothing more can be done about it.
    /// </summary>
    public static async Task KillAndDisposeAsync(Process process, TimeSpan bound, bool entireTree = false)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireTree);
            }
            using var wait = new CancellationTokenSource(bound);
            await process.WaitForExitAsync(wait.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or would not die within the bound.
        }
        process.Dispose();
    }
}
