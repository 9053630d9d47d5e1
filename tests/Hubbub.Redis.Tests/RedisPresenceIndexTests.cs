using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Hubbub.Redis.Tests.Contracts;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Redis.Tests;

/// <summary>
/// The presence index: a channel whose every entry sat on a node that died (nobody alive has presence there, say a
/// user's <c>online:{id}</c>) is still swept, by any node, once, with the time the dead node last vouched for it.
/// </summary>
public sealed class RedisPresenceIndexTests : IAsyncLifetime
{
    private readonly RedisSeams _redis = new() { PresenceTtlSeconds = 30 };
    private readonly FakeTimeProvider _time = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task A_channel_only_a_dead_node_had_entries_in_is_swept_by_another_node_once_with_its_last_refresh()
    {
        var channel = $"online:p{Guid.NewGuid():N}";
        var dead = _redis.Presence(_time);
        var alive = _redis.Presence(_time);
        var alsoAlive = _redis.Presence(_time);
        await dead.AddAsync(channel, new PresenceEntry("d1", "ghost", "Ghost", _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(10));
        await dead.RefreshAsync();
        var lastRefresh = _time.GetUtcNow();

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(await alive.SweepAsync()); // not expired yet
        _time.Advance(TimeSpan.FromSeconds(2));
        var sweeps = await Task.WhenAll(alive.SweepAsync(), alsoAlive.SweepAsync());

        var left = sweeps.SelectMany(s => s).Where(l => l.Channel == channel).ToList();
        Assert.Equal([(channel, new ClientInfo("ghost", "Ghost"), lastRefresh)], left);
        Assert.Empty(await alive.GetMembersAsync(channel));
        var connection = _redis.Connect();
        Assert.Null(await (await connection.GetDatabaseAsync()).SortedSetScoreAsync(connection.Routing.PresenceIndex, channel));
    }

    [Fact]
    public async Task A_channel_a_live_node_refreshes_is_not_taken_off_the_index_nor_its_entries_swept()
    {
        var channel = $"online:p{Guid.NewGuid():N}";
        var live = _redis.Presence(_time);
        var other = _redis.Presence(_time);
        await live.AddAsync(channel, new PresenceEntry("l1", "here", "Here", _time.GetUtcNow()));
        for (var i = 0; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(20));
            await live.RefreshAsync();
            Assert.DoesNotContain(await other.SweepAsync(), l => l.Channel == channel);
        }

        Assert.Equal(["here"], (await other.GetMembersAsync(channel)).Select(m => m.User));
    }
}
