using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Hubbub.Redis.Tests.Contracts;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Redis.Tests;

/// <summary>Presence across nodes: expiry of a dead node's entries, the sweep, and recovery from a lost Redis.</summary>
public sealed class RedisPresenceTests : IAsyncLifetime
{
    private readonly RedisSeams _redis = new() { PresenceTtlSeconds = 30 };
    private readonly FakeTimeProvider _time = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    private static string NewChannel() => $"public:q{Guid.NewGuid():N}";

    private PresenceEntry Entry(string connection, string user) => new(connection, user, user.ToUpperInvariant(), _time.GetUtcNow());

    [Fact]
    public async Task A_dead_nodes_users_expire_and_exactly_one_sweep_reports_each_leave()
    {
        var channel = NewChannel();
        var dead = _redis.Presence(_time);
        var alive = _redis.Presence(_time);
        var alsoAlive = _redis.Presence(_time);
        await dead.AddAsync(channel, Entry("d1", "ghost"));
        await dead.AddAsync(channel, Entry("d2", "both"));
        await alive.AddAsync(channel, Entry("a1", "both"));
        await alive.AddAsync(channel, Entry("a2", "live"));
        await alsoAlive.AddAsync(channel, Entry("b1", "other"));

        // Two heartbeats of the live nodes while the dead one stays silent, then past its expiry.
        for (var i = 0; i < 2; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(20));
            await alive.RefreshAsync();
            await alsoAlive.RefreshAsync();
        }
        var before = await alive.GetMembersAsync(channel);
        var sweeps = await Task.WhenAll(alive.SweepAsync(), alsoAlive.SweepAsync());

        var left = sweeps.SelectMany(s => s).Select(l => (l.Channel, l.User)).ToList();
        Assert.Equal([(channel, new ClientInfo("ghost", "GHOST"))], left);
        Assert.Equal(["both", "live", "other"], before.Select(m => m.User).Order(StringComparer.Ordinal));
        Assert.Equal(["both", "live", "other"], (await alsoAlive.GetMembersAsync(channel)).Select(m => m.User).Order(StringComparer.Ordinal));
        Assert.Empty(await alive.SweepAsync());
        // "both" still holds a live connection: removing it is the real leave.
        Assert.True(await alive.RemoveAsync(channel, "a1", "both"));
    }

    [Fact]
    public async Task The_heartbeat_announces_presence_leave_to_every_node()
    {
        var channel = NewChannel();
        var dead = _redis.Presence(_time);
        var alive = _redis.Presence(_time);
        var node = _redis.Node(_time);
        var observer = _redis.Node(_time);
        await observer.SubscribeAsync(channel);
        await node.SubscribeAsync(channel);
        await dead.AddAsync(channel, Entry("d1", "ghost"));
        await alive.AddAsync(channel, Entry("a1", "live"));
        var heartbeat = new RedisPresenceHeartbeat(alive, node.Broker, _redis.Connect(), Microsoft.Extensions.Options.Options.Create(new Hubbub.Core.HubbubOptions()), _time, NullLogger<RedisPresenceHeartbeat>.Instance);

        _time.Advance(TimeSpan.FromSeconds(20));
        await heartbeat.BeatAsync();
        Assert.Empty(observer.Sink.Ephemeral);
        _time.Advance(TimeSpan.FromSeconds(20));
        await heartbeat.BeatAsync();

        var leave = Assert.Single(await observer.Sink.WaitForEphemeralAsync(channel, 1));
        Assert.Equal($"{{\"type\":\"presence_leave\",\"channel\":\"{channel}\",\"data\":{{\"user\":\"ghost\",\"name\":\"GHOST\"}}}}",
            System.Text.Encoding.UTF8.GetString(leave.Frame));
        Assert.Equal(["live"], (await alive.GetMembersAsync(channel)).Select(m => m.User));
    }

    [Fact]
    public async Task Entries_lost_by_Redis_come_back_with_the_next_heartbeat()
    {
        var channel = NewChannel();
        var store = _redis.Presence(_time);
        await store.AddAsync(channel, Entry("c1", "u1"));
        await store.AddAsync(channel, Entry("c2", "u1"));
        var connection = _redis.Connect();
        await (await connection.GetDatabaseAsync()).KeyDeleteAsync(connection.Routing.Presence(channel));
        Assert.Empty(await store.GetMembersAsync(channel));

        await store.RefreshAsync();

        Assert.Equal("u1", Assert.Single(await store.GetMembersAsync(channel)).User);
        Assert.False(await store.RemoveAsync(channel, "c1", "u1"));
        Assert.True(await store.RemoveAsync(channel, "c2", "u1"));
    }

    [Fact]
    public async Task A_removed_connection_is_not_brought_back_by_the_heartbeat()
    {
        var channel = NewChannel();
        var store = _redis.Presence(_time);
        await store.AddAsync(channel, Entry("c1", "u1"));
        Assert.True(await store.RemoveAsync(channel, "c1", "u1"));

        await store.RefreshAsync();

        Assert.Empty(await store.GetMembersAsync(channel));
    }
}
