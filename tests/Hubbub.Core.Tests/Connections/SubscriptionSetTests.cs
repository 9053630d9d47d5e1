using System.Net.WebSockets;
using Hubbub.Core.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hubbub.Core.Tests.Connections;

/// <summary>The per-connection subscription set, across its one-subscription and many-subscription forms.</summary>
public sealed class SubscriptionSetTests
{
    private static readonly ClientConnection Connection = new("c1", new HubbubUser("1", "One", []),
        WebSocket.CreateFromStream(Stream.Null, new WebSocketCreationOptions { IsServer = true }), null, new HubbubOptions(),
        TimeProvider.System, NullLogger.Instance);

    private static Subscription Sub(string channel) => new(Connection, channel, presence: false);

    [Fact]
    public void Holds_one_then_many_and_refuses_a_channel_twice()
    {
        var set = new SubscriptionSet();
        Assert.Equal(0, set.Count);
        Assert.False(set.Contains("public:a"));

        Assert.True(set.TryAdd(Sub("public:a")));
        Assert.False(set.TryAdd(Sub("public:a")));
        Assert.Equal(1, set.Count);
        Assert.True(set.TryAdd(Sub("public:b")));
        Assert.True(set.TryAdd(Sub("public:c")));
        Assert.False(set.TryAdd(Sub("public:b")));

        Assert.Equal(3, set.Count);
        Assert.True(set.Contains("public:a") && set.Contains("public:b") && set.Contains("public:c"));
        Assert.False(set.Contains("public:A"));
    }

    [Fact]
    public void Removes_by_channel_and_returns_what_was_held()
    {
        var set = new SubscriptionSet();
        var a = Sub("public:a");
        set.TryAdd(a);

        Assert.False(set.TryRemove("public:b", out _));
        Assert.True(set.TryRemove("public:a", out var removed));
        Assert.Same(a, removed);
        Assert.Equal(0, set.Count);
        Assert.True(set.TryAdd(Sub("public:a")));
    }

    [Fact]
    public void Removing_an_instance_leaves_a_newer_subscription_to_the_same_channel()
    {
        foreach (var others in new[] { 0, 2 })
        {
            var set = new SubscriptionSet();
            for (var i = 0; i < others; i++)
            {
                set.TryAdd(Sub($"public:other{i}"));
            }
            var old = Sub("public:a");
            set.TryAdd(old);
            set.TryRemove("public:a", out _);
            var newer = Sub("public:a");
            set.TryAdd(newer);

            Assert.False(set.TryRemove(old));
            Assert.True(set.Contains("public:a"));
            Assert.True(set.TryRemove(newer));
            Assert.False(set.Contains("public:a"));
            Assert.Equal(others, set.Count);
        }
    }

    [Fact]
    public void Remove_all_empties_the_set_and_returns_every_subscription()
    {
        var set = new SubscriptionSet();
        Assert.Empty(set.RemoveAll());
        var subs = new[] { Sub("public:a"), Sub("public:b"), Sub("public:c") };
        foreach (var s in subs)
        {
            set.TryAdd(s);
        }

        Assert.Equal(subs.Select(s => s.Channel).Order(), set.RemoveAll().Select(s => s.Channel).Order());
        Assert.Equal(0, set.Count);
        Assert.True(set.TryAdd(Sub("public:a")));
        Assert.Single(set.RemoveAll());
    }
}
