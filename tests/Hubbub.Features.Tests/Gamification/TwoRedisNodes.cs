using Hubbub.Features.Tests.Infrastructure;

namespace Hubbub.Features.Tests.Gamification;

/// <summary>
/// Two in-process nodes of one deployment: one fresh PostgreSQL database, one Redis (a key prefix of their own), each
/// node its own Kestrel on 127.0.0.1. A test class that needs the cluster derives from it; <see cref="Settings"/> adds
/// settings of its own.
/// </summary>
public abstract class TwoRedisNodes : IAsyncLifetime
{
    private ChatDatabase? _database;

    /// <summary>The first node.</summary>
    protected TestServer A { get; private set; } = null!;

    /// <summary>The second node.</summary>
    protected TestServer B { get; private set; } = null!;

    /// <summary>Settings both nodes get beside the database's and Redis'.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    public async Task InitializeAsync()
    {
        _database = await ChatDatabase.CreateAsync("postgres");
        var settings = new Dictionary<string, string?>(_database.Settings)
        {
            ["ConnectionStrings:Redis"] = TestRedis.Endpoint,
            ["Hubbub:Redis:KeyPrefix"] = TestRedis.UniquePrefix(),
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }
        A = new TestServer(settings);
        B = new TestServer(settings);
    }

    public async Task DisposeAsync()
    {
        A?.Dispose();
        B?.Dispose();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
