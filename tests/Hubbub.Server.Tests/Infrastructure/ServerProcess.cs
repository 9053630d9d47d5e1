using System.Diagnostics;

namespace Hubbub.Server.Tests.Infrastructure;

/// <summary>Runs the built server (Hubbub.Server.dll beside the tests) as a real process, as a user would.</summary>
public static class ServerProcess
{
    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "Hubbub.Server.dll");

    /// <summary>Runs to completion (bounded) and returns exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string arguments, Dictionary<string, string> environment,
        TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("dotnet", $"\"{ServerDll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (k, v) in environment)
        {
            info.Environment[k] = v;
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{arguments}' did not exit; stdout: {await output}; stderr: {await error}");
        }
        return (process.ExitCode, await output, await error);
    }
}
