using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>PROTOCOL: presence is per user, not per connection.</summary>
public sealed class PresenceTests : IClassFixture<SharedServer>
{
    private readonly TestServer _server;

    public PresenceTests(SharedServer shared) => _server = shared.Server;

    private static string Channel() => "public:" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Two_connections_of_one_user_join_once_and_leave_when_the_last_one_goes()
    {
        var channel = Channel();
        await using var watcher = await _server.ConnectAsync("watcher", "Watcher");
        await watcher.SubscribeAsync(channel);

        var tab1 = await _server.ConnectAsync("ada", "Ada");
        await tab1.SubscribeAsync(channel);
        var join = await watcher.NextAsync(f => f.Type() == "presence_join");
        Assert.Equal(channel, join.Channel());
        Assert.Equal("ada", join.GetProperty("data").GetProperty("user").GetString());
        Assert.Equal("Ada", join.GetProperty("data").GetProperty("name").GetString());
        Assert.False(join.TryGetProperty("offset", out _));

        var tab2 = await _server.ConnectAsync("ada", "Ada");
        await tab2.SubscribeAsync(channel);
        var members = await watcher.OkAsync("presence", new { channel });
        var users = members.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("user").GetString()).ToList();
        Assert.Equal(["watcher", "ada"], users);
        Assert.True(members.GetProperty("members")[1].TryGetProperty("since", out _));
        Assert.Empty(await watcher.PendingAfterSyncAsync(f => f.Type() == "presence_join"));

        await tab1.CloseAsync();
        await tab1.DisposeAsync();
        Assert.Empty(await watcher.PendingAfterSyncAsync(f => f.Type() == "presence_leave"));

        tab2.Abort(); // dies rather than closing: presence must still be removed
        await tab2.DisposeAsync();
        var leave = await watcher.NextAsync(f => f.Type() == "presence_leave");
        Assert.Equal("ada", leave.GetProperty("data").GetProperty("user").GetString());
        var after = await watcher.OkAsync("presence", new { channel });
        Assert.Equal(["watcher"], after.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("user").GetString()));
    }

    [Fact]
    public async Task A_join_is_announced_and_listed_before_the_joiners_reply_so_who_subscribes_after_it_hears_no_join()
    {
        // The join came after the reply, late on a freshly started node: a user subscribing right after that reply got
        // a presence_join of someone who was there before them, and a presence right after it could miss the joiner.
        for (var round = 0; round < 5; round++)
        {
            var channel = Channel();
            await using var ada = await _server.ConnectAsync($"early-ada-{round}", "Ada");
            await using var bob = await _server.ConnectAsync($"late-bob-{round}", "Bob");
            await ada.SubscribeAsync(channel);
            await bob.SubscribeAsync(channel);
            var members = (await bob.OkAsync("presence", new { channel })).GetProperty("members").EnumerateArray()
                .Select(m => m.GetProperty("user").GetString()).ToList();
            Assert.Equal([$"early-ada-{round}", $"late-bob-{round}"], members);
            Assert.Empty(await bob.PendingAfterSyncAsync(f => f.Type() == "presence_join"));
            Assert.Equal($"late-bob-{round}", (await ada.NextAsync(f => f.Type() == "presence_join")).GetProperty("data").GetProperty("user").GetString());
        }
    }

    [Fact]
    public async Task A_members_since_is_an_ISO_8601_UTC_time_ending_in_Z_like_every_other_time_of_the_protocol()
    {
        var channel = Channel();
        await using var ada = await _server.ConnectAsync("since-ada", "Ada");
        await ada.SubscribeAsync(channel);
        var since = Assert.Single((await ada.OkAsync("presence", new { channel })).GetProperty("members").EnumerateArray())
            .GetProperty("since").GetString()!;
        Assert.EndsWith("Z", since, StringComparison.Ordinal); // was "+00:00"
        // To the millisecond, as the features' times: at most three fractional digits (seven before).
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$", since);
        var parsed = DateTimeOffset.Parse(since, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.Zero, parsed.Offset);
        Assert.InRange(parsed, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Unsubscribe_sends_presence_leave()
    {
        var channel = Channel();
        await using var watcher = await _server.ConnectAsync("w2");
        await watcher.SubscribeAsync(channel);
        await using var bob = await _server.ConnectAsync("bob");
        await bob.SubscribeAsync(channel);
        await watcher.NextAsync(f => f.Type() == "presence_join");
        await bob.OkAsync("unsubscribe", new { channel });
        Assert.Equal("bob", (await watcher.NextAsync(f => f.Type() == "presence_leave")).GetProperty("data").GetProperty("user").GetString());
    }

    [Fact]
    public async Task A_namespace_without_join_leave_keeps_presence_but_announces_nothing()
    {
        using var server = new TestServer(new() { ["Hubbub:Namespaces:public:JoinLeave"] = "false" });
        var channel = Channel();
        await using var watcher = await server.ConnectAsync("quiet-watcher", "Watcher");
        await watcher.SubscribeAsync(channel);
        var ada = await server.ConnectAsync("quiet-ada", "Ada");
        await ada.SubscribeAsync(channel);

        var members = (await watcher.OkAsync("presence", new { channel })).GetProperty("members").EnumerateArray()
            .Select(m => m.GetProperty("user").GetString()).ToList();
        Assert.Equal(["quiet-watcher", "quiet-ada"], members);
        await ada.OkAsync("unsubscribe", new { channel });
        await ada.DisposeAsync();
        Assert.Equal(["quiet-watcher"], (await watcher.OkAsync("presence", new { channel })).GetProperty("members").EnumerateArray()
            .Select(m => m.GetProperty("user").GetString()));
        Assert.Empty(await watcher.PendingAfterSyncAsync(f => f.Type() is "presence_join" or "presence_leave"));
    }

    [Fact]
    public async Task Presence_of_a_forbidden_channel_is_refused()
    {
        await using var c = await _server.ConnectAsync("nosy");
        Assert.Equal("forbidden", (await c.RequestAsync("presence", new { channel = "user:someone" })).ErrorCode());
    }
}
