using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Hubbub.Core.Connections;
using Hubbub.Features.Messaging;
using Hubbub.Messaging.Tests.Infrastructure;
using Hubbub.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Hubbub.Messaging.Tests.ConversationApiTests;

namespace Hubbub.Messaging.Tests;

/// <summary>What depends on time, on a fake clock: online status and last seen, typing expiry, the send rate.</summary>
public abstract class ClockedChatTests(string engine) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-03-01T12:00:00Z", CultureInfo.InvariantCulture);
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly ClosedConnections _closed = new();
    private ChatServer _chat = null!;

    public async Task InitializeAsync() => _chat = await ChatServer.StartAsync(engine,
        new() { ["Messaging:SendBurst"] = "3", ["Messaging:SendsPerSecond"] = "1" },
        _clock,
        // Registered after the feature's observer, so a close is signalled once status has handled it.
        services => services.AddSingleton<IConnectionObserver>(_closed));

    public async Task DisposeAsync() => await _chat.DisposeAsync();

    [Fact]
    public async Task Status_stays_online_while_any_tab_lives_and_shows_last_seen_after_the_last()
    {
        var (ada, bob, stranger) = (Users.New("ada"), Users.New("bob"), Users.New("stranger"));
        using var bobApi = _chat.Api(bob);
        await bobApi.CreateAsync([ada]);
        await using var bobWs = await _chat.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"user:{bob}");
        await using var strangerWs = await _chat.ConnectAsync(stranger);
        await strangerWs.SubscribeAsync($"user:{stranger}");
        Assert.False((await bobApi.GetAsync($"/api/users/{ada}/status")).Body.GetProperty("is_online").GetBoolean());

        var tab1 = await _chat.ConnectAsync(ada);
        // Online as soon as the welcome has arrived; the announcement to contacts follows in the background.
        Assert.True((await bobApi.GetAsync($"/api/users/{ada}/status")).Body.GetProperty("is_online").GetBoolean());
        var online = (await bobWs.NextAsync(f => f.Type() == "status")).GetProperty("data");
        Assert.Equal(ada, online.GetProperty("user").GetString());
        Assert.True(online.GetProperty("is_online").GetBoolean());
        var tab2 = await _chat.ConnectAsync(ada);

        _clock.Advance(TimeSpan.FromMinutes(5));
        await tab1.DisposeAsync();
        await _closed.WaitForAsync(ada);
        var stillOnline = (await bobApi.GetAsync($"/api/users/{ada}/status")).Body;
        Assert.True(stillOnline.GetProperty("is_online").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, stillOnline.GetProperty("last_seen").ValueKind);
        Assert.Empty(await bobWs.PendingAfterSyncAsync(f => f.Type() == "status")); // the second tab and the first close said nothing

        _clock.Advance(TimeSpan.FromMinutes(5));
        await tab2.DisposeAsync();
        var offline = (await bobWs.NextAsync(f => f.Type() == "status")).GetProperty("data");
        Assert.False(offline.GetProperty("is_online").GetBoolean());
        Assert.Equal("2026-03-01T12:10:00Z", offline.GetProperty("last_seen").GetString());
        var status = (await bobApi.GetAsync($"/api/users/{ada}/status")).Body;
        Assert.Equal(offline.GetRawText(), status.GetRawText());

        // Only those who share a conversation hear about it.
        Assert.Empty(await strangerWs.PendingAfterSyncAsync(f => f.Type() == "status"));
        var unknown = (await bobApi.GetAsync($"/api/users/{Users.New("nobody")}/status")).Body;
        Assert.False(unknown.GetProperty("is_online").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, unknown.GetProperty("last_seen").ValueKind);
        Assert.Equal("bad_request", (await bobApi.GetAsync("/api/users/a%20b/status")).Code);
    }

    [Fact]
    public async Task A_user_seen_without_contacts_is_announced_once_a_conversation_or_a_group_gives_them_some()
    {
        // ada and cy come and go while they share no conversation: this node learns they have no contacts (ContactlessUsers).
        var (ada, bob, cy, dee) = (Users.New("ada"), Users.New("bob"), Users.New("cy"), Users.New("dee"));
        foreach (var user in new[] { ada, cy })
        {
            var tab = await _chat.ConnectAsync(user);
            await tab.DisposeAsync();
            await _closed.WaitForAsync(user); // the close's announcement read the contacts: none
        }
        using var bobApi = _chat.Api(bob);
        await using var bobWs = await _chat.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"user:{bob}");

        // A new direct conversation gives ada a contact: her next connect is announced to bob.
        await bobApi.CreateAsync([ada]);
        await using (var adaTab = await _chat.ConnectAsync(ada))
        {
            var online = (await bobWs.NextAsync(f => f.Type() == "status")).GetProperty("data");
            Assert.Equal(ada, online.GetProperty("user").GetString());
            Assert.True(online.GetProperty("is_online").GetBoolean());
        }
        Assert.False((await bobWs.NextAsync(f => f.Type() == "status")).GetProperty("data").GetProperty("is_online").GetBoolean());

        // Being added to an existing group does too.
        var group = Id(await bobApi.CreateAsync([dee], kind: "group", title: "Later"));
        Assert.Equal(HttpStatusCode.OK, (await bobApi.PostAsync($"/api/conversations/{group}/participants", new { users = new[] { cy } })).Status);
        await using var cyTab = await _chat.ConnectAsync(cy);
        var cyOnline = (await bobWs.NextAsync(f => f.Type() == "status")).GetProperty("data");
        Assert.Equal(cy, cyOnline.GetProperty("user").GetString());
        Assert.True(cyOnline.GetProperty("is_online").GetBoolean());
    }

    [Fact]
    public async Task Typing_on_a_conversation_expires_three_seconds_after_the_last()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        await using var adaWs = await _chat.ConnectAsync(ada);
        await using var bobWs = await _chat.ConnectAsync(bob);
        var channel = "conversation:" + Id(await adaWs.OkAsync("chat.create", new { participants = new[] { bob } }));
        await bobWs.SubscribeAsync(channel);

        await adaWs.OkAsync("typing", new { channel, is_typing = true });
        Assert.True((await bobWs.NextAsync(f => f.Type() == "typing")).GetProperty("data").GetProperty("is_typing").GetBoolean());
        _clock.Advance(TimeSpan.FromSeconds(2.9));
        Assert.Empty(await bobWs.PendingAfterSyncAsync(f => f.Type() == "typing"));
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False((await bobWs.NextAsync(f => f.Type() == "typing")).GetProperty("data").GetProperty("is_typing").GetBoolean());
    }

    [Fact]
    public async Task Sends_beyond_the_rate_are_refused_over_REST_and_WebSocket_alike()
    {
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        using var adaApi = _chat.Api(ada);
        await using var adaWs = await _chat.ConnectAsync(ada);
        var c = Id(await adaApi.CreateAsync([bob]));
        await adaApi.SendAsync(c, "1");
        await adaWs.OkAsync("chat.send", new { conversation = c, text = "2" });
        await adaApi.SendAsync(c, "3");

        var refused = await adaApi.PostAsync($"/api/conversations/{c}/messages", new { text = "4" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal("rate_limited", refused.Code);
        Assert.Equal("rate_limited", (await adaWs.RequestAsync("chat.send", new { conversation = c, text = "4" })).ErrorCode());
        // Another user has their own allowance.
        using var bobApi = _chat.Api(bob);
        await bobApi.SendAsync(c, "bob's");

        _clock.Advance(TimeSpan.FromSeconds(1));
        await adaWs.OkAsync("chat.send", new { conversation = c, text = "4" });
        Assert.Equal(5, (await adaApi.GetAsync($"/api/conversations/{c}/messages")).Body.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task A_user_who_never_took_part_in_a_conversation_needs_no_contacts_read_even_at_their_first_connect()
    {
        // On SQLite (one node) the node knows everyone who takes part in a conversation, so a user outside them needs no
        // read at all; with PostgreSQL another node may add participants, so every transition reads.
        var contactless = _chat.Server.Services.GetRequiredService<ContactlessUsers>();
        var (ada, bob, newcomer) = (Users.New("ada"), Users.New("bob"), Users.New("newcomer"));
        using var bobApi = _chat.Api(bob);
        await bobApi.CreateAsync([ada]);
        Assert.Equal(engine == "sqlite", await contactless.ContainsAsync(newcomer));
        Assert.False(await contactless.ContainsAsync(ada));
        Assert.False(await contactless.ContainsAsync(bob));
    }

    [Fact]
    public async Task Participants_stored_before_the_node_started_are_announced_to_at_its_first_status_transition()
    {
        // Rows written before this node's first transition (as by an earlier run of the node): the first transition reads
        // who takes part in a conversation, so ada's contact hears of her.
        var (ada, bob) = (Users.New("ada"), Users.New("bob"));
        var database = _chat.Server.Services.GetRequiredService<IDatabase>();
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        await database.InTransactionAsync(async tx =>
        {
            var id = await MessagingStore.InsertConversationAsync(tx, "group", "Earlier", null, now, CancellationToken.None);
            return await MessagingStore.AddParticipantsAsync(tx, id, [ada, bob], now, CancellationToken.None);
        });
        await using var bobWs = await _chat.ConnectAsync(bob);
        await bobWs.SubscribeAsync($"user:{bob}");
        await using var adaWs = await _chat.ConnectAsync(ada);
        var online = (await bobWs.NextAsync(f => f.Type() == "status")).GetProperty("data");
        Assert.Equal(ada, online.GetProperty("user").GetString());
        Assert.True(online.GetProperty("is_online").GetBoolean());
    }

    /// <summary>Signals each closed connection's user once every observer before it has run.</summary>
    private sealed class ClosedConnections : IConnectionObserver
    {
        private readonly ConcurrentDictionary<string, Channel<bool>> _byUser = new(StringComparer.Ordinal);

        public ValueTask OnOpenedAsync(ClientConnection connection, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnClosedAsync(ClientConnection connection, CancellationToken cancellationToken)
        {
            For(connection.User.Id).Writer.TryWrite(true);
            return ValueTask.CompletedTask;
        }

        public async Task WaitForAsync(string user)
        {
            using var cts = new CancellationTokenSource(WsClient.DefaultWait);
            await For(user).Reader.ReadAsync(cts.Token);
        }

        private Channel<bool> For(string user) => _byUser.GetOrAdd(user, _ => Channel.CreateUnbounded<bool>());
    }
}

public sealed class ClockedChatSqliteTests() : ClockedChatTests("sqlite");

public sealed class ClockedChatPostgresTests() : ClockedChatTests("postgres");
