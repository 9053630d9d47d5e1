using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Testing;

/// <summary>A real Hubbub server (Kestrel on 127.0.0.1) on a database of its own, with REST clients per user.</summary>
public sealed class ChatServer : IAsyncDisposable
{
    private readonly ChatDatabase _database;

    private ChatServer(ChatDatabase database, TestServer server)
    {
        _database = database;
        Server = server;
    }

    public TestServer Server { get; }

    public static async Task<ChatServer> StartAsync(string engine, Dictionary<string, string?>? settings = null,
        FakeTimeProvider? clock = null, Action<IServiceCollection>? configureServices = null)
    {
        var database = await ChatDatabase.CreateAsync(engine);
        var all = new Dictionary<string, string?>(database.Settings);
        foreach (var (k, v) in settings ?? [])
        {
            all[k] = v;
        }
        return new ChatServer(database, new TestServer(all, clock, configureServices));
    }

    /// <summary>A REST client signed in as <paramref name="user"/> (name "User {id}" unless given).</summary>
    public ApiClient Api(string user, string? name = null) => new(Server.BaseAddress, TestTokens.For(user, name));

    /// <summary>A REST client without a token.</summary>
    public ApiClient Anonymous() => new(Server.BaseAddress, null);

    public Task<WsClient> ConnectAsync(string user, string? name = null) => Server.ConnectAsync(user, name);

    public async ValueTask DisposeAsync()
    {
        Server.Dispose();
        await _database.DisposeAsync();
    }
}

/// <summary>A fresh user id per call, so tests sharing a server never see each other's conversations.</summary>
public static class Users
{
    public static string New(string who) => $"{who}-{Guid.NewGuid().ToString("N")[..10]}";
}
