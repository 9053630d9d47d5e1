using Hubbub.Core.Memory;
using Hubbub.Core.Seams;

namespace Hubbub.Core.Tests.Memory;

public sealed class MemoryPresenceStoreTests
{
    private readonly MemoryPresenceStore _store = new();
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    [Fact]
    public async Task First_connection_joins_and_last_one_leaves()
    {
        Assert.True(await _store.AddAsync("public:a", new PresenceEntry("c1", "ada", "Ada", T0)));
        Assert.False(await _store.AddAsync("public:a", new PresenceEntry("c2", "ada", "Ada", T0.AddSeconds(1))));
        Assert.Single(await _store.GetMembersAsync("public:a"));
        Assert.False(await _store.RemoveAsync("public:a", "c1", "ada"));
        Assert.True(await _store.RemoveAsync("public:a", "c2", "ada"));
        Assert.Empty(await _store.GetMembersAsync("public:a"));
    }

    [Fact]
    public async Task Removing_an_unknown_connection_is_not_a_leave()
    {
        await _store.AddAsync("public:a", new PresenceEntry("c1", "ada", "Ada", T0));
        Assert.False(await _store.RemoveAsync("public:a", "nope", "ada"));
        Assert.False(await _store.RemoveAsync("public:b", "c1", "ada"));
        Assert.Single(await _store.GetMembersAsync("public:a"));
    }

    [Fact]
    public async Task Members_are_listed_by_join_time_with_the_earliest_since()
    {
        await _store.AddAsync("public:a", new PresenceEntry("c1", "bob", "Bob", T0.AddSeconds(5)));
        await _store.AddAsync("public:a", new PresenceEntry("c2", "ada", "Ada", T0));
        await _store.AddAsync("public:a", new PresenceEntry("c3", "bob", "Bob", T0.AddSeconds(9)));
        var members = await _store.GetMembersAsync("public:a");
        Assert.Equal(["ada", "bob"], members.Select(m => m.User));
        Assert.Equal(T0.AddSeconds(5), members[1].Since);
    }

    [Fact]
    public async Task A_channel_going_from_one_user_to_several_and_back_keeps_every_join_and_leave()
    {
        // One user with one connection is stored without collections; a second user or connection moves to them.
        Assert.True(await _store.AddAsync("public:a", new PresenceEntry("c1", "ada", "Ada", T0)));
        Assert.False(await _store.RemoveAsync("public:a", "c1", "bob")); // another user's name: not ada's connection
        Assert.True(await _store.AddAsync("public:a", new PresenceEntry("c2", "bob", "Bob", T0.AddSeconds(1))));
        Assert.False(await _store.AddAsync("public:a", new PresenceEntry("c3", "bob", "Bob", T0.AddSeconds(2))));
        Assert.Equal(["ada", "bob"], (await _store.GetMembersAsync("public:a")).Select(m => m.User));

        Assert.True(await _store.RemoveAsync("public:a", "c1", "ada"));
        Assert.False(await _store.RemoveAsync("public:a", "c2", "bob"));
        Assert.Equal(["bob"], (await _store.GetMembersAsync("public:a")).Select(m => m.User));
        Assert.True(await _store.AddAsync("public:a", new PresenceEntry("c4", "ada", "Ada", T0.AddSeconds(3))));
        Assert.True(await _store.RemoveAsync("public:a", "c3", "bob"));
        Assert.True(await _store.RemoveAsync("public:a", "c4", "ada"));
        Assert.Empty(await _store.GetMembersAsync("public:a"));
    }

    [Fact]
    public async Task The_same_connection_added_twice_leaves_with_its_one_removal()
    {
        Assert.True(await _store.AddAsync("user:ada", new PresenceEntry("c1", "ada", "Ada", T0)));
        Assert.False(await _store.AddAsync("user:ada", new PresenceEntry("c1", "ada", "Ada", T0.AddSeconds(1))));
        Assert.Equal(T0, Assert.Single(await _store.GetMembersAsync("user:ada")).Since);
        Assert.True(await _store.RemoveAsync("user:ada", "c1", "ada"));
        Assert.False(await _store.RemoveAsync("user:ada", "c1", "ada"));
        Assert.Empty(await _store.GetMembersAsync("user:ada"));
    }
}
