using System.Diagnostics;
using System.Net;
using System.Text;

namespace Hubbub.Testing;

/// <summary>
/// The built Hubbub server run as a real process (<c>dotnet Hubbub.Server.dll ...</c>), as a user or a deployment
/// runs it: for CLI verbs (run to exit) and for a listening server (started on a loopback port, on SQLite or on
/// PostgreSQL, then killed when disposed).
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

    /// <summary>The loopback port it listens on, when started by <see cref="StartOnLoopbackAsync"/>; else 0.</summary>
    public int Port { get; private set; }

    /// <summary>The PostgreSQL database it runs on, when started by <see cref="StartOnLoopbackAsync"/> with <see cref="ServerStorage.Postgres"/>; else null.</summary>
    public string? PostgresConnectionString { get; private set; }

    /// <summary><c>http://127.0.0.1:{Port}/</c>, when started by <see cref="StartOnLoopbackAsync"/>.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>The server assembly built in the repository (src/Hubbub.Server/bin), in the test's configuration.</summary>
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

    /// <summary>
    /// Starts the server with <paramref name="args"/> in <paramref name="workingDirectory"/>: in Production, with
    /// <see cref="SigningKey"/>, its data folder under the working directory, and no database settings inherited
    /// from the test run; <paramref name="environment"/> then overrides any of these (a null value unsets one).
    /// </summary>
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
            if (value is null)
            {
                info.Environment.Remove(key); // null unsets, e.g. to see what the server's own files configure
            }
            else
            {
                info.Environment[key] = value;
            }
        }
        return new ServerProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>
    /// Starts a listening server on a free loopback port with its database chosen by <paramref name="storage"/>
    /// (SQLite in the working directory, or a fresh PostgreSQL database on the test server) and waits (bounded)
    /// until <c>/readyz</c> answers <paramref name="waitFor"/> (null: does not wait).
    /// </summary>
    public static async Task<ServerProcess> StartOnLoopbackAsync(string workingDirectory, ServerStorage storage,
        IReadOnlyDictionary<string, string?>? environment = null, HttpStatusCode? waitFor = HttpStatusCode.OK)
    {
        var settings = new Dictionary<string, string?>();
        if (storage == ServerStorage.Postgres)
        {
            settings["ConnectionStrings__Postgres"] = await TestPostgres.CreateDatabaseAsync();
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        // A free port is free when chosen: another process's outgoing connection may take it before the server binds it
        // (seen when tests ran beside a benchmark's thousands of clients), so a bind refused is tried again on another.
        for (var attempt = 1; ; attempt++)
        {
            var port = LoopbackPort.Free();
            var server = Start(workingDirectory, settings, "--urls", $"http://127.0.0.1:{port}");
            server.Port = port;
            server.PostgresConnectionString = settings.GetValueOrDefault("ConnectionStrings__Postgres");
            try
            {
                if (waitFor is { } status)
                {
                    await server.WaitForReadyAsync(status, TimeSpan.FromSeconds(30));
                }
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server.Error.Contains("address already in use", StringComparison.Ordinal))
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Runs a CLI verb to its exit (at most <paramref name="timeoutSeconds"/>).</summary>
    public static async Task<ServerProcess> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?> environment, string[] args, int timeoutSeconds = 60)
    {
        var process = Start(workingDirectory, environment, args);
        await process.WaitForExitAsync(TimeSpan.FromSeconds(timeoutSeconds));
        return process;
    }

    /// <summary>
    /// Runs the server with a raw command line to completion (bounded) and returns exit code, stdout and stderr.
    /// Unlike <see cref="Start"/> nothing is set for it: it inherits the test's environment plus
    /// <paramref name="environment"/>, as a shell would run it, so the tests of defaults see the real defaults.
    /// </summary>
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

    /// <summary>Polls <c>/readyz</c> until it answers <paramref name="status"/>; fails when the process ends or the deadline passes.</summary>
    public async Task WaitForReadyAsync(HttpStatusCode status, TimeSpan within)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        HttpStatusCode? last = null;
        while (clock.Elapsed < within)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {_process.ExitCode}:\n{Output}\n{Error}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                last = response.StatusCode;
                if (last == status)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"/readyz did not answer {(int)status} within {within} (last {last}).\n{Output}\n{Error}");
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

    /// <summary>Kills the process with SIGKILL: no shutdown code runs, like a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
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
