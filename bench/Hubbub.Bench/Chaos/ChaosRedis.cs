using System.Diagnostics;
using System.Net.Sockets;
using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Chaos;

/// <summary>
/// The chaos cluster's redis-server: a child process on a loopback port that stays the same across restarts, no
/// persistence (a restart loses history, stream positions and presence, as a Redis without AOF does).
/// </summary>
public sealed class ChaosRedis : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hubbub-chaos-redis").FullName;
    private Process? _process;

    /// <summary>The port.</summary>
    public int Port { get; } = Ports.Free();

    /// <summary>Starts redis-server and waits (bounded) until it accepts connections.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in new[] { "--port", $"{Port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _folder })
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start redis-server");
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        _process = process;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", Port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
        throw new TimeoutException("redis-server did not listen within 10 s");
    }

    /// <summary>Kills redis-server (SIGKILL: its data is gone) and waits until it exited.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }
        _process = null;
        await ProcessKill.KillAndDisposeAsync(process, TimeSpan.FromSeconds(5));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}
