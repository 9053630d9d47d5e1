using Hubbub.Bench.Clients;
using Hubbub.Bench.Infra;
using Hubbub.Bench.Results;

namespace Hubbub.Bench.Scenarios;

/// <summary>What a scenario gets: the settings, where to put results, and a way to report what it is doing.</summary>
public sealed class ScenarioContext(BenchSettings settings, ResultSet results, Action<string> status)
{
    /// <summary>The run's settings.</summary>
    public BenchSettings Settings { get; } = settings;

    /// <summary>Where figures go.</summary>
    public ResultSet Results { get; } = results;

    /// <summary>Server logs folder.</summary>
    public string LogFolder => Path.Combine(Settings.OutputFolder, "logs");

    /// <summary>Shows what is happening now (the progress line).</summary>
    public void Status(string text) => status(text);

    /// <summary>Starts a server of <paramref name="kind"/> in its own process.</summary>
    public Task<ServerProcess> StartAsync(ServerKind kind, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? env = null) =>
        ServerProcess.StartAsync(kind, LogFolder, env, cancellationToken);

    /// <summary>
    /// Opens <paramref name="count"/> connections with at most <see cref="BenchSettings.ConnectConcurrency"/>
    /// handshakes in flight, starting at index <paramref name="first"/>. Fails if any fails.
    /// </summary>
    public async Task<IBenchConnection[]> ConnectManyAsync(int first, int count, Func<int, CancellationToken, Task<IBenchConnection>> connect,
        CancellationToken cancellationToken)
    {
        var connections = new IBenchConnection[count];
        try
        {
            await Parallel.ForAsync(0, count, new ParallelOptions
            {
                MaxDegreeOfParallelism = Settings.ConnectConcurrency,
                CancellationToken = cancellationToken,
            }, async (i, ct) => connections[i] = await connect(first + i, ct));
        }
        catch
        {
            await DisposeAllAsync(connections);
            throw;
        }
        return connections;
    }

    /// <summary>Closes connections (aborting them; the servers are about to be stopped anyway).</summary>
    public static async Task DisposeAllAsync(IEnumerable<IBenchConnection?> connections)
    {
        await Parallel.ForEachAsync(connections, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (c, _) =>
        {
            if (c is not null)
            {
                try
                {
                    await c.DisposeAsync();
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException
                    or System.Net.WebSockets.WebSocketException)
                {
                    // Closing a connection whose server is gone.
                }
            }
        });
    }
}
