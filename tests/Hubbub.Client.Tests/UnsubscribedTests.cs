using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Hubbub.Client.Tests.Infrastructure;
using Hubbub.Protocol;

namespace Hubbub.Client.Tests;

/// <summary>
/// The server ends a subscription (<c>unsubscribed</c>) when the user loses access: here for real, by leaving a group
/// conversation through the messaging REST API of the in-process server.
/// </summary>
public sealed class UnsubscribedTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new();
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("hubbub-client-unsub-").FullName;
    private ServerHost _server = null!;

    public Task InitializeAsync()
    {
        // Messaging keeps conversations in SQLite: give this server its own data directory.
        _server = ServerHost.Start(settings: new Dictionary<string, string> { ["Hubbub:DataDirectory"] = _dataDirectory });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Leaving_a_conversation_ends_the_subscription_for_good_even_across_a_reconnect()
    {
        var conversation = await ApiAsync("ada", HttpMethod.Post, "/api/conversations", new { kind = "group", participants = new[] { "cy", "bob" }, title = "Team" });
        Assert.Equal(HttpStatusCode.Created, conversation.Status);
        var id = conversation.Body.GetProperty("id").GetString()!;
        var channel = $"conversation:{id}";

        await using var proxy = new LoopbackProxy(_server.Port);
        await using var cy = await Clients.ConnectedAsync(proxy.WsUrl, "cy");
        await using var bob = await Clients.ConnectedAsync(_server.WsUrl, "bob");
        var log = new StateLog(cy);
        var room = await cy.SubscribeAsync(channel);
        var own = await cy.SubscribeAsync("user:cy");
        var bobRoom = await bob.SubscribeAsync(channel);
        Assert.Equal(HttpStatusCode.Created, (await ApiAsync("ada", HttpMethod.Post, $"/api/conversations/{id}/messages", new { text = "hello" })).Status);
        var hello = await Eventually.ReadAsync(room, 1, e => e.Type == "message");
        Assert.Equal("hello", hello[0].Data.GetProperty("text").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await ApiAsync("cy", HttpMethod.Delete, $"/api/conversations/{id}/participants/me")).Status);

        // The stream's last event says why, and then the stream completes.
        var rest = await ReadToEndAsync(room);
        var ended = rest[^1];
        Assert.Equal(HubbubEventKind.Unsubscribed, ended.Kind);
        Assert.Equal(MessageTypes.Unsubscribed, ended.Type);
        Assert.Equal(channel, ended.Channel);
        Assert.Equal("left the conversation", ended.Data.GetProperty("reason").GetString());
        Assert.Equal("left the conversation", room.EndReason);
        Assert.Single(rest, e => e.Kind == HubbubEventKind.Unsubscribed);

        // Calls on the ended subscription fail at once with forbidden, without asking the server.
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<HubbubRequestException>(() => room.PublishAsync(new { text = "still here?" }))).Code);
        Assert.Equal(MessageTypes.History, (await Assert.ThrowsAsync<HubbubRequestException>(() => room.HistoryAsync())).RequestType);
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<HubbubRequestException>(() => room.PresenceAsync())).Code);
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<HubbubRequestException>(() => room.TypingAsync(true))).Code);
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<HubbubRequestException>(() => room.CursorAsync(new { x = 1 }))).Code);
        await room.UnsubscribeAsync(); // nothing left to do

        // A forced reconnect restores the other subscription, not the ended one.
        proxy.Drop(refuse: false);
        await log.NextAsync(ConnectionState.Disconnected);
        await log.NextAsync(ConnectionState.Connected);
        await _server.PublishAsync("user:cy", new { marker = true });
        // Filtered: user:cy also carries contacts' online/offline events (bob's arrives whenever his connection is seen).
        var marker = await Eventually.ReadAsync(own, 1, e => e.Kind == HubbubEventKind.Publication && e.Data.TryGetProperty("marker", out _));
        Assert.True(marker[0].Data.GetProperty("marker").GetBoolean());
        Assert.Equal(HttpStatusCode.Created, (await ApiAsync("ada", HttpMethod.Post, $"/api/conversations/{id}/messages", new { text = "after cy left" })).Status);
        await Eventually.ReadAsync(bobRoom, 1, e => e.Type == "message" && e.Data.GetProperty("text").GetString() == "after cy left");
        Assert.DoesNotContain("cy", (await bobRoom.PresenceAsync()).Select(m => m.User));
        await foreach (var late in room.ReadAllAsync())
        {
            Assert.Fail($"the ended subscription delivered {late.Kind}:{late.Type}");
        }

        // The client no longer holds the channel: subscribing again is a new request, which the server refuses.
        var again = await Assert.ThrowsAsync<HubbubRequestException>(() => cy.SubscribeAsync(channel));
        Assert.Equal(ErrorCodes.Forbidden, again.Code);
    }

    /// <summary>Reads a subscription's stream until it completes (bounded).</summary>
    private static async Task<List<HubbubEvent>> ReadToEndAsync(HubbubSubscription subscription)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        List<HubbubEvent> events = [];
        await foreach (var e in subscription.ReadAllAsync(cts.Token))
        {
            events.Add(e);
        }
        return events;
    }

    /// <summary>A messaging REST request as <paramref name="user"/>.</summary>
    private async Task<(HttpStatusCode Status, JsonElement Body)> ApiAsync(string user, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{_server.Port}{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServerHost.Token(user));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
