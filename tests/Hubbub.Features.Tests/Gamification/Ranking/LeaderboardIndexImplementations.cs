using Hubbub.Features.Gamification.Ranking;
using Hubbub.Features.Kit;
using Hubbub.Features.Tests.Gamification;
using Hubbub.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hubbub.Features.Tests.Gamification.Ranking;

/// <summary>The contract on this node's memory (the embedded default).</summary>
public sealed class InMemoryLeaderboardIndexTests(SqliteGame fixture) : LeaderboardIndexContract(fixture), IClassFixture<SqliteGame>
{
    protected override ILeaderboardIndex Create(FeatureDatabase database) => new InMemoryLeaderboardIndex(database);
}

/// <summary>The contract on the test Redis (test.sh's), each index under a key prefix of its own.</summary>
public sealed class RedisLeaderboardIndexTests(SqliteGame fixture) : LeaderboardIndexContract(fixture), IClassFixture<SqliteGame>, IAsyncDisposable
{
    private readonly List<RedisConnection> _connections = [];
    private readonly string _prefix = TestRedis.UniquePrefix();

    // One prefix per test class instance: two indexes of one test share the sets, as two nodes do.
    protected override ILeaderboardIndex Create(FeatureDatabase database)
    {
        var connection = new RedisConnection(Options.Create(new RedisOptions { Configuration = TestRedis.Endpoint, KeyPrefix = _prefix }),
            NullLogger<RedisConnection>.Instance);
        _connections.Add(connection);
        return new RedisLeaderboardIndex(connection, database, TimeProvider.System, NullLogger<RedisLeaderboardIndex>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
