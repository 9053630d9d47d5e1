using System.Diagnostics;
using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Chaos;

/// <summary>
/// One Hubbub node of the chaos cluster: its own process on a loopback port that stays the same across restarts
/// (clients reconnect to the same address), killed with SIGKILL, stopped with SIGSTOP and continued with SIGCONT.
/// </summary>
public sealed class ChaosNode : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly StreamWriter _log;
    private readonly string _dataFolder = Directory.CreateTempSubdirectory("hubbub-chaos-node").FullName;
    private Process? _process;
    private bool _paused;

    /// <summary>A node named <paramref name="name"/>, logging to <paramref name="logFolder"/>; not started yet.</summary>
    public ChaosNode(string name, string logFolder, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        Port = Ports.Free();
        _environment = environment;
        Directory.CreateDirectory(logFolder);
        _log = new StreamWriter(Path.Combine(logFolder, $"{name}.log")) { AutoFlush = true };
    }

    /// <summary>The node's name (<c>Hubbub:NodeId</c>).</summary>
    public string Name { get; }

    /// <summary>The loopback port, the same for every start.</summary>
    public int Port { get; }

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>Starts the process and waits (bounded) until <c>/healthz</c> answers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var dll = RepoPaths.HubbubServerDll;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(BaseUrl);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["Hubbub__NodeId"] = Name;
        info.Environment["Hubbub__DataDirectory"] = _dataFolder;
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }
        Log($"--- start {DateTimeOffset.UtcNow:O}");
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {dll}");
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await HealthProbe.WaitUntilHealthyAsync(process, BaseUrl, $"{Name} (see {Name}.log)", TimeSpan.FromMilliseconds(100), cancellationToken);
    }

    /// <summary>Kills the process with SIGKILL (no shutdown code runs) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        Log($"--- SIGKILL {DateTimeOffset.UtcNow:O}");
        await StopProcessAsync();
    }

    /// <summary>Stops the process with SIGSTOP: it holds its sockets but answers nothing.</summary>
    public void Pause()
    {
        Log($"--- SIGSTOP {DateTimeOffset.UtcNow:O}");
        _paused = _process is { } p && NativeMethods.Signal(p.Id, NativeMethods.SigStop);
    }

    /// <summary>Continues a stopped process with SIGCONT.</summary>
    public void Resume()
    {
        if (_process is { } p && _paused)
        {
            Log($"--- SIGCONT {DateTimeOffset.UtcNow:O}");
            NativeMethods.Signal(p.Id, NativeMethods.SigCont);
        }
        _paused = false;
    }

    /// <summary>Whether <c>/readyz</c> answers 200 now.</summary>
    public async Task<bool> IsReadyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri($"{BaseUrl}/readyz"), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Resume();
        await StopProcessAsync();
        lock (_log)
        {
            _log.Dispose();
        }
        try
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    private async Task StopProcessAsync()
    {
        if (_process is not { } process)
        {
            return;
        }
        _process = null;
        await ProcessKill.KillAndDisposeAsync(process, TimeSpan.FromSeconds(10), entireTree: true);
    }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            if (_log.BaseStream.CanWrite)
            {
                _log.WriteLine(line);
            }
        }
    }
}
