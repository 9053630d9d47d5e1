using Hubbub.Core.Memory;
using Hubbub.Core.Seams;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Redis.Tests.Contracts;

/// <summary>What every <see cref="IPresenceStore"/> must do, run against each implementation through <see cref="Create"/>.</summary>
public abstract class PresenceContract
{
    protected FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    protected abstract IPresenceStore Create();

    private static string NewChannel() => $"public:p{Guid.NewGuid():N}";

    private PresenceEntry Entry(string connection, string user, string name = "Name", int secondsLater = 0) =>
        new(connection, user, name, Time.GetUtcNow().AddSeconds(secondsLater));

    [Fact]
    public async Task A_users_first_connection_joins_and_last_one_leaves()
    {
        var store = Create();
        var channel = NewChannel();

        Assert.True(await store.AddAsync(channel, Entry("c1", "u1")));
        Assert.False(await store.AddAsync(channel, Entry("c2", "u1")));
        Assert.False(await store.RemoveAsync(channel, "c1", "u1"));
        Assert.True(await store.RemoveAsync(channel, "c2", "u1"));
        Assert.Empty(await store.GetMembersAsync(channel));
    }

    [Fact]
    public async Task Members_are_one_per_user_with_their_earliest_join_oldest_first()
    {
        var store = Create();
        var channel = NewChannel();
        await store.AddAsync(channel, Entry("c1", "bob", "Bob", 1));
        await store.AddAsync(channel, Entry("c2", "ada", "Ada \u2603 ünï", 2));
        await store.AddAsync(channel, Entry("c3", "bob", "Bob", 5));

        var members = await store.GetMembersAsync(channel);

        Assert.Equal(["bob", "ada"], members.Select(m => m.User));
        Assert.Equal(Time.GetUtcNow().AddSeconds(1), members[0].Since);
        Assert.Equal("Ada \u2603 ünï", members[1].Name);
    }

    [Fact]
    public async Task Removing_an_unknown_connection_is_not_a_leave()
    {
        var store = Create();
        var channel = NewChannel();
        await store.AddAsync(channel, Entry("c1", "u1"));

        Assert.False(await store.RemoveAsync(channel, "nope", "u1"));
        Assert.False(await store.RemoveAsync(NewChannel(), "c1", "u1"));
        Assert.Single(await store.GetMembersAsync(channel));
    }

    [Fact]
    public async Task Channels_are_independent()
    {
        var store = Create();
        var a = NewChannel();
        var b = NewChannel();

        Assert.True(await store.AddAsync(a, Entry("c1", "u1")));
        Assert.True(await store.AddAsync(b, Entry("c1", "u1")));
        Assert.True(await store.RemoveAsync(a, "c1", "u1"));

        Assert.Empty(await store.GetMembersAsync(a));
        Assert.Equal("u1", Assert.Single(await store.GetMembersAsync(b)).User);
    }

    [Fact]
    public async Task User_ids_with_separators_and_unicode_stay_distinct()
    {
        var store = Create();
        var channel = NewChannel();

        Assert.True(await store.AddAsync(channel, Entry("c1", "3:ab", "x")));
        Assert.True(await store.AddAsync(channel, Entry("c2", "3:a", "bx")));
        Assert.True(await store.AddAsync(channel, Entry("c3", "ü", "ü")));

        Assert.Equal(["3:a", "3:ab", "ü"], (await store.GetMembersAsync(channel)).Select(m => m.User));
    }
}

/// <summary>The presence contract against <see cref="MemoryPresenceStore"/>.</summary>
public sealed class MemoryPresenceContract : PresenceContract
{
    protected override IPresenceStore Create() => new MemoryPresenceStore();
}

/// <summary>The presence contract against <see cref="RedisPresenceStore"/>.</summary>
public sealed class RedisPresenceContract : PresenceContract, IAsyncLifetime
{
    private readonly RedisSeams _redis = new();

    protected override IPresenceStore Create() => _redis.Presence(Time);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _redis.DisposeAsync();
}
