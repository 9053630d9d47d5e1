using System.Diagnostics;

namespace Hubbub.Testing;

/// <summary>
/// The Redis the tests use: <c>HUBBUB_TEST_REDIS</c> (host:port, set by test.sh) or, when it is not set, one
/// redis-server this test run starts on a free loopback port and stops at exit.
/// </summary>
public static class TestRedis
{
    private static readonly Lazy<string> Shared = new(() =>
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("HUBBUB_TEST_REDIS");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment;
        }
        var server = RedisServerProcess.Start();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server.Endpoint;
    });

    /// <summary>host:port of the shared test Redis.</summary>
    public static string Endpoint => Shared.Value;

    /// <summary>A key prefix no other test uses, so tests sharing one Redis never see each other's keys.</summary>
    public static string UniquePrefix() => $"test:{Guid.NewGuid():N}:";
}

/// <summary>A redis-server of a test's own, on a free loopback port, in a temporary folder; stopped on dispose.</summary>
public sealed class RedisServerProcess : IDisposable
{
    private RedisServerProcess(int port, string directory)
    {
        Port = port;
        Directory = directory;
    }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>The working folder (pid and log files).</summary>
    public string Directory { get; }

    /// <summary>host:port.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Starts a server and waits (bounded) until it answers.</summary>
    public static RedisServerProcess Start(int? port = null, string? directory = null)
    {
        var server = new RedisServerProcess(port ?? LoopbackPort.Free(), directory ?? System.IO.Directory.CreateTempSubdirectory("hubbub-redis-").FullName);
        server.Restart();
        return server;
    }

    /// <summary>Starts the server (again) on the same port, with no persistence, and waits until it answers.</summary>
    public void Restart()
    {
        Run("redis-server", true, "--port", $"{Port}", "--bind", "127.0.0.1", "--daemonize", "yes", "--save", "", "--appendonly", "no",
            "--dir", Directory, "--pidfile", $"{Directory}/redis.pid", "--logfile", $"{Directory}/redis.log");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (Run("redis-cli", false, "-p", $"{Port}", "ping").Contains("PONG", StringComparison.Ordinal))
            {
                return;
            }
            Thread.Sleep(50); // polling a process we cannot await; bounded by the deadline
        }
        throw new TimeoutException($"redis-server on port {Port} did not answer within 10 s");
    }

    /// <summary>Stops the server, dropping its data (like a crash of a Redis without persistence).</summary>
    public void Stop() => Run("redis-cli", false, "-p", $"{Port}", "shutdown", "nosave");

    /// <summary>Makes the server answer no client for <paramref name="duration"/> (CLIENT PAUSE): a hang, connections stay up.</summary>
    public void Pause(TimeSpan duration) =>
        Run("redis-cli", true, "-p", $"{Port}", "client", "pause", $"{(long)duration.TotalMilliseconds}", "all");

    /// <summary>
    /// Drops the pub/sub connections of the clients named <paramref name="clientName"/> (CLIENT KILL), as a network
    /// cut between one node and Redis would; the node reconnects by itself. Returns how many were dropped.
    /// </summary>
    public int DropPubSubConnections(string clientName)
    {
        var dropped = 0;
        foreach (var line in Run("redis-cli", true, "-p", $"{Port}", "client", "list").Split('\n'))
        {
            var fields = line.Split(' ').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
            if (fields.GetValueOrDefault("name") == clientName && fields.GetValueOrDefault("flags", "").Contains('P', StringComparison.Ordinal))
            {
                Run("redis-cli", true, "-p", $"{Port}", "client", "kill", "id", fields["id"]);
                dropped++;
            }
        }
        return dropped;
    }

    /// <summary>
    /// Kills the server with SIGKILL (its pid from the pid file), as a crash would: no shutdown runs, clients see
    /// their connections drop. Waits (bounded) until the process is gone.
    /// </summary>
    public void Kill()
    {
        var pid = int.Parse(File.ReadAllText(Path.Combine(Directory, "redis.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill();
            process.WaitForExit(10_000);
        }
        File.Delete(Path.Combine(Directory, "redis.pid"));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A log file still open; the temp folder is cleaned by the OS.
        }
    }

    private static string Run(string file, bool throwOnError, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            throw new TimeoutException($"{file} did not finish");
        }
        if (throwOnError && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {output}");
        }
        return output;
    }
}
