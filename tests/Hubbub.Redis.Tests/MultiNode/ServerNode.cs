using System.Diagnostics;
using System.Net;
using System.Text;
using Hubbub.Redis.Tests.Infrastructure;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>
/// One real Hubbub server process (the built Hubbub.Server.dll) on a free loopback port, configured through
/// the environment like a deployment. Killed on dispose; its output is kept for failure messages.
/// </summary>
public sealed class ServerNode : IAsyncDisposable
{
    public const string SigningKey = "multi-node-test-signing-key-0123456789";
    public const string ApiKey = "multi-node-test-api-key";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private string? _dataDirectory;

    private ServerNode(Process process, int port, string name)
    {
        _process = process;
        Port = port;
        Name = name;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
    }

    public int Port { get; }

    public string Name { get; }

    public HttpClient Http { get; }

    /// <summary>What the process printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts a node on <paramref name="redis"/> and waits (bounded) until /readyz answers 200.</summary>
    public static async Task<ServerNode> StartAsync(string name, string redis, string keyPrefix, int presenceTtlSeconds = 30,
        HttpStatusCode? waitFor = HttpStatusCode.OK, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = TestRedis.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServerDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Redis"] = redis;
        start.Environment["Auth__SigningKey"] = SigningKey;
        start.Environment["Auth__ApiKey"] = ApiKey;
        start.Environment["Hubbub__NodeId"] = name;
        start.Environment["Hubbub__Redis__KeyPrefix"] = keyPrefix;
        start.Environment["Hubbub__Redis__PresenceTtlSeconds"] = presenceTtlSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Shared durable state like a real deployment: the test PostgreSQL when the test script provides one.
        // Each node also gets a data folder of its own, so none writes into the repository.
        var dataDirectory = Directory.CreateTempSubdirectory("hubbub-node-").FullName;
        start.Environment["Hubbub__DataDirectory"] = dataDirectory;
        if (await TestPostgres.DatabaseAsync() is { } postgres)
        {
            start.Environment["ConnectionStrings__Postgres"] = postgres;
        }
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Hubbub"] = "Information";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var node = new ServerNode(process, port, name) { _dataDirectory = dataDirectory };
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            if (waitFor is { } status)
            {
                await node.WaitForReadyAsync(status, TimeSpan.FromSeconds(30));
            }
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    /// <summary>Polls /readyz until it answers <paramref name="status"/> (or the process ends, or the deadline passes).</summary>
    public async Task WaitForReadyAsync(HttpStatusCode status, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        HttpStatusCode? last = null;
        while (clock.Elapsed < within)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"node {Name} exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                using var response = await Http.GetAsync(new Uri("/readyz", UriKind.Relative));
                last = response.StatusCode;
                if (last == status)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"node {Name}: /readyz did not answer {(int)status} within {within} (last {last}).\n{Output}");
    }

    /// <summary>Publishes through the server API and returns the offset.</summary>
    public async Task<long> PublishAsync(string channel, string json)
    {
        using var content = new StringContent($"{{\"channel\":\"{channel}\",\"data\":{json}}}", Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(new Uri("/api/publish", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"publish on {Name} answered {(int)response.StatusCode}: {body}", null, response.StatusCode);
        }
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("offset").GetInt64();
    }

    /// <summary>Connects a WebSocket client as <paramref name="user"/>.</summary>
    public Task<WsClient> ConnectAsync(string user) => WsClient.ConnectAsync(Port, user, SigningKey);

    /// <summary>Waits (bounded) for the process to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var deadline = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills the process with SIGKILL: no shutdown code runs, like a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit(10_000);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        Http.Dispose();
        if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>The server assembly built beside this test project, in the same configuration.</summary>
    private static string ServerDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                ? "Release" : "Debug";
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Hubbub.slnx")))
            {
                directory = directory.Parent;
            }
            var root = directory?.FullName ?? throw new InvalidOperationException("the repository root (Hubbub.slnx) was not found");
            var dll = Path.Combine(root, "src", "Hubbub.Server", "bin", configuration, "net10.0", "Hubbub.Server.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"build the server first: {dll} is missing");
        }
    }
}
