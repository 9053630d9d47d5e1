using System.Diagnostics;
using System.Text;

namespace Hubbub.Storage.Tests.Infrastructure;

/// <summary>
/// The built Hubbub server run as a real process (<c>dotnet Hubbub.Server.dll ...</c>), as a user or a deployment
/// runs it: for CLI verbs (run to exit) and for a listening server (started, then killed when disposed).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    /// <summary>The signing key every process gets, since outside Development the server requires one.</summary>
    public const string SigningKey = "storage-tests-signing-key-0123456789abcdef";

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ServerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Everything printed to standard output so far.</summary>
    public string Output => Read(_stdout);

    /// <summary>Everything printed to standard error so far.</summary>
    public string Error => Read(_stderr);

    /// <summary>The exit code, once exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The server assembly built next to this test project, in the same configuration.</summary>
    public static string ServerDll
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // bin/<Config>/net10.0
            var configuration = output.Parent!.Name;
            var root = output;
            for (var i = 0; i < 8 && root is not null && !File.Exists(Path.Combine(root.FullName, "Hubbub.slnx")); i++)
            {
                root = root.Parent;
            }
            var dll = Path.Combine(root?.FullName ?? "", "src", "Hubbub.Server", "bin", configuration, "net10.0", "Hubbub.Server.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the server first: {dll} is missing.");
        }
    }

    /// <summary>Starts the server with <paramref name="args"/> in <paramref name="workingDirectory"/> and the given environment.</summary>
    public static ServerProcess Start(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ServerDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // Settings inherited from the test run must not choose the database behind the test's back.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Storage__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Auth__SigningKey"] = SigningKey;
        info.Environment["Hubbub__DataDirectory"] = Path.Combine(workingDirectory, "data");
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        return new ServerProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>Runs a CLI verb to its exit (at most <paramref name="timeoutSeconds"/>).</summary>
    public static async Task<ServerProcess> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?> environment, string[] args, int timeoutSeconds = 60)
    {
        var process = Start(workingDirectory, environment, args);
        await process.WaitForExitAsync(TimeSpan.FromSeconds(timeoutSeconds));
        return process;
    }

    /// <summary>Waits for the process to exit; kills it and fails when it takes longer than <paramref name="timeout"/>.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"server process did not exit within {timeout}. stdout: {Output} stderr: {Error}");
        }
        _process.WaitForExit(); // flushes the redirected streams
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (target)
        {
            target.AppendLine(line);
        }
    }

    private static string Read(StringBuilder source)
    {
        lock (source)
        {
            return source.ToString();
        }
    }
}
