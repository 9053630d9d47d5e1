using System.Diagnostics;
using System.Net.Sockets;

namespace Hubbub.Bench.Infra;

/// <summary>A throwaway redis-server on a free loopback port and a temp folder, for the cluster scenario.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private RedisServer(Process process, int port, string folder)
    {
        _process = process;
        Port = port;
        _folder = folder;
    }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>The redis-server process id (its CPU time counts in the cluster scenario).</summary>
    public int Pid => _process.Id;

    /// <summary>The redis-server's CPU time and RSS so far.</summary>
    public ProcSample Sample() => ProcSample.Read(Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Whether redis-server is installed.</summary>
    public static bool Available() => File.Exists("/usr/bin/redis-server");

    /// <summary>Starts Redis without persistence and waits (bounded) until it accepts connections.</summary>
    public static async Task<RedisServer> StartAsync(CancellationToken cancellationToken)
    {
        // A port free when chosen may be taken before redis-server binds it (it exits then): tried again on another.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryStartAsync(cancellationToken);
            }
            catch (PortTakenException) when (attempt < 3)
            {
            }
        }
    }

    private sealed class PortTakenException() : Exception("redis-server exited before it listened (its port was taken)");

    private static async Task<RedisServer> TryStartAsync(CancellationToken cancellationToken)
    {
        var port = Ports.Free();
        var folder = Directory.CreateTempSubdirectory("hubbub-bench-redis").FullName;
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in new[] { "--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder })
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start redis-server");
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        var redis = new RedisServer(process, port, folder);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
                return redis;
            }
            catch (SocketException) when (process.HasExited)
            {
                await redis.DisposeAsync();
                throw new PortTakenException();
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
        await redis.DisposeAsync();
        throw new TimeoutException("redis-server did not listen within 10 s");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await ProcessKill.KillAndDisposeAsync(_process, TimeSpan.FromSeconds(5));
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
