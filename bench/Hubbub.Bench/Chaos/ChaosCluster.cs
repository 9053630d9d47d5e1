using System.Globalization;
using System.Text;
using System.Text.Json;
using Hubbub.Bench.Infra;

namespace Hubbub.Bench.Chaos;

/// <summary>
/// What a chaos run starts: PostgreSQL, Redis and three Hubbub nodes on loopback, and the things the load uses (a
/// group conversation, an auction whose bidders hold coins, a venue). Disposing stops all of it.
/// </summary>
internal sealed class ChaosCluster : IAsyncDisposable
{
    /// <summary>Nodes in the cluster.</summary>
    public const int NodeCount = 3;

    private ChaosCluster(ChaosSettings settings, string logFolder)
    {
        Settings = settings;
        LogFolder = logFolder;
    }

    /// <summary>The run's settings.</summary>
    public ChaosSettings Settings { get; }

    /// <summary>Where node logs go.</summary>
    public string LogFolder { get; }

    /// <summary>The database.</summary>
    public ChaosPostgres Postgres { get; } = new();

    /// <summary>Redis.</summary>
    public ChaosRedis Redis { get; } = new();

    /// <summary>The nodes.</summary>
    public List<ChaosNode> Nodes { get; } = [];

    /// <summary>The conversation the chatters write to and the watchers read.</summary>
    public string Conversation { get; private set; } = "";

    /// <summary>The conversation's channel.</summary>
    public string ConversationChannel => $"conversation:{Conversation}";

    /// <summary>The channel whose presence is checked.</summary>
    public string Lobby => "public:chaos-lobby";

    /// <summary>The auction bid on.</summary>
    public string Auction { get; private set; } = "";

    /// <summary>The venue checked in to.</summary>
    public string Venue => "chaos-gym";

    /// <summary>Starts everything and creates the conversation, auction and venue.</summary>
    public static async Task<ChaosCluster> StartAsync(ChaosSettings settings, string logFolder, Action<string> status, CancellationToken cancellationToken)
    {
        var cluster = new ChaosCluster(settings, logFolder);
        try
        {
            status("starting PostgreSQL and Redis");
            await cluster.Postgres.StartAsync(cancellationToken);
            await cluster.Redis.StartAsync(cancellationToken);
            var environment = new Dictionary<string, string>
            {
                ["ConnectionStrings__Redis"] = $"127.0.0.1:{cluster.Redis.Port}",
                ["ConnectionStrings__Postgres"] = cluster.Postgres.ConnectionString,
                ["Auth__SigningKey"] = ServerProcess.SigningKey,
                ["Auth__ApiKey"] = ServerProcess.ApiKey,
                ["Hubbub__Redis__PresenceTtlSeconds"] = settings.PresenceTtlSeconds.ToString(CultureInfo.InvariantCulture),
                // Limits stay on, above the load's rate.
                ["Messaging__SendsPerSecond"] = "1000",
                ["Messaging__SendBurst"] = "1000",
            };
            for (var i = 0; i < NodeCount; i++)
            {
                cluster.Nodes.Add(new ChaosNode($"chaos-{(char)('a' + i)}", logFolder, environment));
            }
            status("starting three nodes");
            // The first alone (it migrates the database), then the others together.
            await cluster.Nodes[0].StartAsync(cancellationToken);
            await Task.WhenAll(cluster.Nodes.Skip(1).Select(n => n.StartAsync(cancellationToken)));
            status("creating the conversation, auction and venue");
            await cluster.CreateThingsAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
    }

    private async Task CreateThingsAsync(CancellationToken cancellationToken)
    {
        var workers = Settings.WorkersPerKind;
        await using (var creator = new ChaosSession(Nodes, ChaosLoad.Chatter(0), 0))
        {
            var participants = Enumerable.Range(1, workers - 1).Select(ChaosLoad.Chatter)
                .Concat(Enumerable.Range(0, NodeCount).Select(Watcher)).Select(u => $"\"{u}\"");
            var created = await creator.TryAsync("chat.create", $"{{\"kind\":\"group\",\"title\":\"chaos\",\"participants\":[{string.Join(",", participants)}]}}",
                cancellationToken);
            Conversation = created is { Ok: true } ? created.Data.GetProperty("id").GetString()! : throw new InvalidOperationException($"chat.create: {created?.Raw}");
        }
        using var http = new HttpClient { BaseAddress = new Uri(Nodes[0].BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", ServerProcess.ApiKey);
        for (var b = 0; b < workers; b++)
        {
            await PostAsync(http, "/api/wallet/grants", $$"""{"user":"{{ChaosLoad.Bidder(b)}}","currency":"coins","amount":1000000000000,"id":"chaos-coins-{{b}}"}""",
                cancellationToken);
        }
        var endsAt = DateTimeOffset.UtcNow.AddHours(6).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        using (var auction = await PostAsync(http, "/api/auctions",
            $$"""{"seller":"chaos-seller","title":"Chaos lot","currency":"coins","starting_bid":1,"min_increment":1,"ends_at":"{{endsAt}}"}""", cancellationToken))
        {
            Auction = auction.RootElement.GetProperty("id").GetString()!;
        }
        (await PostAsync(http, "/api/venues", $$"""{"id":"{{Venue}}","name":"Chaos Gym","capacity":1000000,"timezone":"UTC"}""", cancellationToken)).Dispose();
    }

    /// <summary>A watcher's user id.</summary>
    public static string Watcher(int i) => $"watch{i}";

    private static async Task<JsonDocument> PostAsync(HttpClient http, string path, string json, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode ? JsonDocument.Parse(body) : throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {body}");
    }
}
