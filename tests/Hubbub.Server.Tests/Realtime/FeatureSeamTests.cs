using System.Text.Json;
using Hubbub.Core;
using Hubbub.Core.Channels;
using Hubbub.Core.Connections;
using Microsoft.Extensions.DependencyInjection;
using Hubbub.Server.Tests.Infrastructure;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>The seams features plug into: their own channel namespace rules and WebSocket commands.</summary>
public sealed class FeatureSeamTests : IDisposable
{
    private static readonly HashSet<string> Members = ["ada", "bob"];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _asked = new();
    private readonly RecordingObserver _observer = new();
    private readonly TestServer _server;

    public FeatureSeamTests() => _server = new(configureServices: services =>
    {
        services.AddSingleton<IConnectionObserver>(_observer);
        services.AddSingleton<IConnectionObserver>(new FailingObserver());
        services.AddChannelNamespace(_ => new ChannelNamespace("team",
            (access, _) => ValueTask.FromResult(Members.Contains(access.User.Id)),
            (access, _) => ValueTask.FromResult(Members.Contains(access.User.Id))));
        services.AddChannelNamespace(_ => new ChannelNamespace("seamtest", ChannelNamespace.Anyone, ChannelNamespace.Nobody));
        // Access that is withdrawn right after the first check: yes once per user, then no.
        services.AddChannelNamespace(_ => new ChannelNamespace("revoked",
            (access, _) => ValueTask.FromResult(_asked.TryAdd(access.User.Id, true)), ChannelNamespace.Nobody));
        services.AddHubbubCommand("demo.shout", (context, _) =>
        {
            if (!context.Data.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            {
                throw HubbubException.BadRequest("demo.shout needs a string 'text'");
            }
            if (text.GetString() == "forbidden")
            {
                throw HubbubException.Forbidden("not that");
            }
            if (text.GetString() == "crash")
            {
                throw new InvalidOperationException("boom with a secret inside");
            }
            return ValueTask.FromResult<byte[]?>(JsonSerializer.SerializeToUtf8Bytes(new { text = text.GetString()!.ToUpperInvariant(), user = context.User.Id }));
        });
    });

    [Fact]
    public async Task Connection_observers_see_opens_and_closes_and_a_failing_one_harms_nothing()
    {
        var c = await _server.ConnectAsync("ada");
        Assert.Equal("pong", (await c.RequestAsync("ping")).Type());
        Assert.Contains("open ada", _observer.Events);
        await c.DisposeAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!_observer.Events.Contains("close ada") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.Contains("close ada", _observer.Events);
    }

    private sealed class RecordingObserver : IConnectionObserver
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Events { get; } = new();

        public ValueTask OnOpenedAsync(ClientConnection connection, CancellationToken cancellationToken)
        {
            Events.Enqueue("open " + connection.User.Id);
            return ValueTask.CompletedTask;
        }

        public ValueTask OnClosedAsync(ClientConnection connection, CancellationToken cancellationToken)
        {
            Events.Enqueue("close " + connection.User.Id);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class FailingObserver : IConnectionObserver
    {
        public ValueTask OnOpenedAsync(ClientConnection connection, CancellationToken cancellationToken) => throw new InvalidOperationException("observer bug");

        public ValueTask OnClosedAsync(ClientConnection connection, CancellationToken cancellationToken) => throw new InvalidOperationException("observer bug");
    }

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task A_feature_namespace_applies_its_own_rules()
    {
        await using var ada = await _server.ConnectAsync("ada");
        await using var eve = await _server.ConnectAsync("eve");
        await ada.SubscribeAsync("team:study");
        await ada.OkAsync("publish", new { channel = "team:study", data = 1 });
        Assert.Equal("forbidden", (await eve.RequestAsync("subscribe", new { channel = "team:study" })).ErrorCode());
        Assert.Equal("forbidden", (await eve.RequestAsync("publish", new { channel = "team:study", data = 1 })).ErrorCode());

        await eve.SubscribeAsync("seamtest:7");
        Assert.Equal("forbidden", (await eve.RequestAsync("publish", new { channel = "seamtest:7", data = 1 })).ErrorCode());
        (await _server.PublishAsync("""{"channel":"seamtest:7","type":"bid","data":{"amount":5}}""")).EnsureSuccessStatusCode();
        Assert.Equal(5, (await eve.NextAsync(f => f.Type() == "bid")).GetProperty("data").GetProperty("amount").GetInt32());
    }

    [Fact]
    public async Task A_subscription_whose_access_went_while_it_was_being_made_is_refused_and_leaves_nothing()
    {
        await using var ada = await _server.ConnectAsync("ada-revoked");
        Assert.Equal("forbidden", (await ada.RequestAsync("subscribe", new { channel = "revoked:room" })).ErrorCode());
        (await _server.PublishAsync("""{"channel":"revoked:room","data":"after"}""")).EnsureSuccessStatusCode();
        Assert.Empty(await ada.PendingAfterSyncAsync(f => f.Channel() == "revoked:room"));
    }

    [Fact]
    public async Task Removing_a_user_from_a_channel_ends_their_subscriptions_and_only_theirs()
    {
        await using var adaTab1 = await _server.ConnectAsync("ada");
        await using var adaTab2 = await _server.ConnectAsync("ada");
        await using var bob = await _server.ConnectAsync("bob");
        await bob.SubscribeAsync("team:kick");
        await adaTab1.SubscribeAsync("team:kick");
        await adaTab2.SubscribeAsync("team:kick");
        await bob.NextAsync(f => f.Type() == "presence_join");

        var engine = (HubbubEngine)_server.Services.GetService(typeof(HubbubEngine))!;
        await engine.RemoveUserFromChannelAsync("ada", "team:kick", "removed by a moderator");
        foreach (var tab in new[] { adaTab1, adaTab2 })
        {
            var ended = await tab.NextAsync(f => f.Type() == "unsubscribed");
            Assert.Equal("team:kick", ended.Channel());
            Assert.Equal("removed by a moderator", ended.GetProperty("data").GetProperty("reason").GetString());
        }
        Assert.Equal("ada", (await bob.NextAsync(f => f.Type() == "presence_leave")).GetProperty("data").GetProperty("user").GetString());

        (await _server.PublishAsync("""{"channel":"team:kick","data":"after"}""")).EnsureSuccessStatusCode();
        Assert.Equal("after", (await bob.NextAsync(f => f.Type() == "message")).GetProperty("data").GetString());
        Assert.Empty(await adaTab1.PendingAfterSyncAsync(f => f.Type() == "message"));
        Assert.Empty(await adaTab2.PendingAfterSyncAsync(f => f.Type() == "message"));

        // The rules still allow ada, so she may subscribe again: eviction is not a ban.
        await adaTab1.SubscribeAsync("team:kick");
    }

    [Fact]
    public async Task A_feature_command_answers_with_its_reply_or_its_refusal()
    {
        await using var c = await _server.ConnectAsync("ada");
        var reply = await c.OkAsync("demo.shout", new { text = "hi" });
        Assert.Equal("HI", reply.GetProperty("text").GetString());
        Assert.Equal("ada", reply.GetProperty("user").GetString());
        Assert.Equal("bad_request", (await c.RequestAsync("demo.shout", new { text = 5 })).ErrorCode());
        Assert.Equal("bad_request", (await c.RequestAsync("demo.shout")).ErrorCode());
        Assert.Equal("forbidden", (await c.RequestAsync("demo.shout", new { text = "forbidden" })).ErrorCode());
        var crash = await c.RequestAsync("demo.shout", new { text = "crash" });
        Assert.Equal("internal", crash.ErrorCode());
        Assert.DoesNotContain("secret", crash.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("pong", (await c.RequestAsync("ping")).Type());
    }
}
