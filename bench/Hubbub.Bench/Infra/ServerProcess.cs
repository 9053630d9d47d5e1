using System.Diagnostics;
using System.Globalization;

namespace Hubbub.Bench.Infra;

/// <summary>
/// One server under test, started as its own process on a fresh loopback port, so its RSS and CPU can be read
/// from /proc and nothing of the load generator is counted in them. Killed on dispose.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    /// <summary>The key Hubbub signs tokens with in bench runs.</summary>
    public const string SigningKey = "hubbub-bench-signing-key-not-a-secret-0123456789";

    /// <summary>The server API key in bench runs.</summary>
    public const string ApiKey = "hubbub-bench-api-key";

    /// <summary>
    /// Client frames per second per connection Hubbub allows in bench runs (default 100): raised so the one load
    /// publisher can reach 1000 msgs/s. The limit stays on; it is only higher.
    /// </summary>
    public const int BenchMessagesPerSecond = 5000;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private int _disposed;
    private string? _dataFolder;
    private volatile bool _addressInUse;

    private ServerProcess(ServerKind kind, Process process, int port, StreamWriter log)
    {
        Kind = kind;
        _process = process;
        Port = port;
        _log = log;
    }

    /// <summary>Which server this is.</summary>
    public ServerKind Kind { get; }

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The folder of the server's files (its SQLite database <c>hubbub.db</c>); null for a baseline server.</summary>
    public string? DataFolder => _dataFolder;

    /// <summary>Reads the server's RSS and CPU time.</summary>
    public ProcSample Sample() => ProcSample.Read(Pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>Starts <paramref name="kind"/> with extra environment and waits (bounded) until /healthz answers.</summary>
    public static async Task<ServerProcess> StartAsync(ServerKind kind, string logFolder, IReadOnlyDictionary<string, string>? extraEnv,
        CancellationToken cancellationToken)
    {
        var dll = kind switch
        {
            ServerKind.Hubbub => RepoPaths.HubbubServerDll,
            ServerKind.Kestrel => RepoPaths.KestrelDll,
            _ => RepoPaths.SignalRDll,
        };
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built; run the bench with `dotnet run -c {RepoPaths.Configuration} --project bench/Hubbub.Bench`", dll);
        }
        // A port free when chosen may be taken by another process's outgoing connection before the server binds it (a
        // suite or benchmark beside this one with thousands of client sockets): a start refused so is tried on another.
        for (var attempt = 1; ; attempt++)
        {
            var server = await TryStartAsync(kind, dll, logFolder, extraEnv, cancellationToken);
            if (server is not null || attempt == 3)
            {
                return server ?? throw new InvalidOperationException($"{kind.Title()} found no free port in 3 tries");
            }
        }
    }

    /// <summary>One start on a free port; null when the port was taken before the server bound it.</summary>
    private static async Task<ServerProcess?> TryStartAsync(ServerKind kind, string dll, string logFolder,
        IReadOnlyDictionary<string, string>? extraEnv, CancellationToken cancellationToken)
    {
        var port = Ports.Free();
        string? dataFolder = null;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // Every server logs warnings and errors only: per-connection information lines would measure the console.
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (kind == ServerKind.Hubbub)
        {
            info.Environment["Auth__SigningKey"] = SigningKey;
            info.Environment["Auth__ApiKey"] = ApiKey;
            info.Environment["Hubbub__MessagesPerSecond"] = BenchMessagesPerSecond.ToString(CultureInfo.InvariantCulture);
            info.Environment["Hubbub__Burst"] = BenchMessagesPerSecond.ToString(CultureInfo.InvariantCulture);
            // Files (the SQLite database) go to a folder of this run, never beside the built server.
            dataFolder = Directory.CreateTempSubdirectory("hubbub-bench-data").FullName;
            info.Environment["Hubbub__DataDirectory"] = dataFolder;
        }
        foreach (var (key, value) in extraEnv ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        Directory.CreateDirectory(logFolder);
        var log = new StreamWriter(Path.Combine(logFolder, $"{kind.Key()}-{port}.log")) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {dll}");
        var server = new ServerProcess(kind, process, port, log) { _dataFolder = dataFolder };
        process.OutputDataReceived += server.OnOutput;
        process.ErrorDataReceived += server.OnOutput;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(cancellationToken);
        }
        catch (InvalidOperationException) when (process.HasExited)
        {
            await process.WaitForExitAsync(CancellationToken.None); // its last output lines read, the bind error among them
            var taken = server._addressInUse;
            await server.DisposeAsync();
            if (taken)
            {
                return null;
            }
            throw;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await ProcessKill.KillAndDisposeAsync(_process, TimeSpan.FromSeconds(10), entireTree: true);
        lock (_log)
        {
            _log.Dispose();
        }
        if (_dataFolder is not null)
        {
            try
            {
                Directory.Delete(_dataFolder, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean.
            }
        }
    }

    private void OnOutput(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }
        if (e.Data.Contains("address already in use", StringComparison.Ordinal))
        {
            _addressInUse = true;
        }
        lock (_log)
        {
            if (_log.BaseStream.CanWrite)
            {
                _log.WriteLine(e.Data);
            }
        }
    }

    private Task WaitReadyAsync(CancellationToken cancellationToken) =>
        HealthProbe.WaitUntilHealthyAsync(_process, BaseUrl, $"{Kind.Title()} (see its log in the results folder)", TimeSpan.FromMilliseconds(50), cancellationToken);
}
