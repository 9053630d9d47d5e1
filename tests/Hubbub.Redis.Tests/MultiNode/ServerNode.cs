using System.Net;
using System.Text;

namespace Hubbub.Redis.Tests.MultiNode;

/// <summary>
/// One real Hubbub server process (the kit's <see cref="ServerProcess"/>) on a free loopback port, configured as a
/// node of a Redis deployment through the environment. Killed on dispose; its output is kept for failure messages.
/// </summary>
public sealed class ServerNode : IAsyncDisposable
{
    public const string SigningKey = "multi-node-test-signing-key-0123456789";
    public const string ApiKey = "multi-node-test-api-key";

    private readonly ServerProcess _process;
    private readonly string _folder;

    private ServerNode(ServerProcess process, string name, string folder)
    {
        _process = process;
        _folder = folder;
        Name = name;
        Http = new HttpClient { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
    }

    public int Port => _process.Port;

    public string Name { get; }

    public HttpClient Http { get; }

    /// <summary>What the process printed so far.</summary>
    public string Output => _process.Output + _process.Error;

    /// <summary>Starts a node on <paramref name="redis"/> and waits (bounded) until /readyz answers <paramref name="waitFor"/>.</summary>
    public static async Task<ServerNode> StartAsync(string name, string redis, string keyPrefix, int presenceTtlSeconds = 30,
        HttpStatusCode? waitFor = HttpStatusCode.OK, IReadOnlyDictionary<string, string>? environment = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Redis"] = redis,
            ["Auth__SigningKey"] = SigningKey,
            ["Auth__ApiKey"] = ApiKey,
            ["Hubbub__NodeId"] = name,
            ["Hubbub__Redis__KeyPrefix"] = keyPrefix,
            ["Hubbub__Redis__PresenceTtlSeconds"] = presenceTtlSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Hubbub"] = "Information",
        };
        // Shared durable state like a real deployment: one test PostgreSQL database for every node when the test
        // script provides a server. Each node also gets a folder of its own, so none writes into the repository.
        if (await TestPostgres.DatabaseAsync() is { } postgres)
        {
            settings["ConnectionStrings__Postgres"] = postgres;
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        var folder = Directory.CreateTempSubdirectory("hubbub-node-").FullName;
        ServerProcess process;
        try
        {
            process = await ServerProcess.StartOnLoopbackAsync(folder, ServerStorage.Sqlite, settings, waitFor);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
        return new ServerNode(process, name, folder);
    }

    /// <summary>Polls /readyz until it answers <paramref name="status"/> (or the process ends, or the deadline passes).</summary>
    public Task WaitForReadyAsync(HttpStatusCode status, TimeSpan within) => _process.WaitForReadyAsync(status, within);

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
        await _process.WaitForExitAsync(within);
        return _process.ExitCode;
    }

    /// <summary>Kills the process with SIGKILL: no shutdown code runs, like a crash.</summary>
    public void Kill() => _process.Kill();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Http.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
