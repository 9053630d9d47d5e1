using Hubbub.Server.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>Typing expiry and cursor coalescing, on a fake clock: no sleeps, exact times.</summary>
public sealed class TypingAndCursorTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly TestServer _server;

    public TypingAndCursorTests() => _server = new TestServer(clock: _clock);

    public void Dispose() => _server.Dispose();

    private static string Channel() => "public:" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Typing_reaches_the_others_and_expires_three_seconds_after_the_last_true()
    {
        var channel = Channel();
        await using var ada = await _server.ConnectAsync("ada", "Ada");
        await using var bob = await _server.ConnectAsync("bob", "Bob");
        await ada.SubscribeAsync(channel);
        await bob.SubscribeAsync(channel);

        await ada.OkAsync("typing", new { channel, is_typing = true });
        var on = await bob.NextAsync(f => f.Type() == "typing");
        Assert.Equal(channel, on.Channel());
        Assert.Equal("ada", on.GetProperty("data").GetProperty("user").GetString());
        Assert.Equal("Ada", on.GetProperty("data").GetProperty("name").GetString());
        Assert.True(on.GetProperty("data").GetProperty("is_typing").GetBoolean());
        Assert.False(on.TryGetProperty("offset", out _));
        Assert.Empty(await ada.PendingAfterSyncAsync(f => f.Type() == "typing")); // not echoed to the typist

        _clock.Advance(TimeSpan.FromSeconds(2));
        await ada.OkAsync("typing", new { channel, is_typing = true }); // re-arms the 3 s
        await bob.NextAsync(f => f.Type() == "typing");
        _clock.Advance(TimeSpan.FromSeconds(2.9));
        Assert.Empty(await bob.PendingAfterSyncAsync(f => f.Type() == "typing"));

        _clock.Advance(TimeSpan.FromMilliseconds(100));
        var off = await bob.NextAsync(f => f.Type() == "typing");
        Assert.False(off.GetProperty("data").GetProperty("is_typing").GetBoolean());
    }

    [Fact]
    public async Task Explicit_stop_is_relayed_and_no_expiry_follows()
    {
        var channel = Channel();
        await using var ada = await _server.ConnectAsync("ada");
        await using var bob = await _server.ConnectAsync("bob");
        await bob.SubscribeAsync(channel);
        await ada.OkAsync("typing", new { channel, is_typing = true });
        await ada.OkAsync("typing", new { channel, is_typing = false });
        Assert.True((await bob.NextAsync(f => f.Type() == "typing")).GetProperty("data").GetProperty("is_typing").GetBoolean());
        Assert.False((await bob.NextAsync(f => f.Type() == "typing")).GetProperty("data").GetProperty("is_typing").GetBoolean());
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(await bob.PendingAfterSyncAsync(f => f.Type() == "typing"));
    }

    [Fact]
    public async Task Leaving_while_typing_ends_the_indicator()
    {
        var channel = Channel();
        await using var bob = await _server.ConnectAsync("bob");
        await bob.SubscribeAsync(channel);
        var ada = await _server.ConnectAsync("ada");
        await ada.SubscribeAsync(channel);
        await ada.OkAsync("typing", new { channel, is_typing = true });
        await bob.NextAsync(f => f.Type() == "typing");
        ada.Abort();
        await ada.DisposeAsync();
        Assert.False((await bob.NextAsync(f => f.Type() == "typing")).GetProperty("data").GetProperty("is_typing").GetBoolean());
    }

    [Fact]
    public async Task Cursor_moves_are_coalesced_to_one_per_100ms_keeping_the_latest()
    {
        var channel = Channel();
        await using var ada = await _server.ConnectAsync("ada", "Ada");
        await using var bob = await _server.ConnectAsync("bob");
        await bob.SubscribeAsync(channel);

        for (var x = 1; x <= 5; x++)
        {
            await ada.OkAsync("cursor", new { channel, x, y = x * 10 });
        }
        var first = await bob.NextAsync(f => f.Type() == "cursor");
        Assert.Equal(1, first.GetProperty("data").GetProperty("x").GetInt32());
        Assert.Equal("ada", first.GetProperty("data").GetProperty("user").GetString());
        Assert.Equal("Ada", first.GetProperty("data").GetProperty("name").GetString());
        Assert.False(first.GetProperty("data").TryGetProperty("channel", out _));
        Assert.Empty(await bob.PendingAfterSyncAsync(f => f.Type() == "cursor"));

        _clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Empty(await bob.PendingAfterSyncAsync(f => f.Type() == "cursor"));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var latest = await bob.NextAsync(f => f.Type() == "cursor");
        Assert.Equal(5, latest.GetProperty("data").GetProperty("x").GetInt32());
        Assert.Equal(50, latest.GetProperty("data").GetProperty("y").GetInt32());

        // A move after a quiet interval goes out at once.
        _clock.Advance(TimeSpan.FromMilliseconds(150));
        await ada.OkAsync("cursor", new { channel, x = 6 });
        Assert.Equal(6, (await bob.NextAsync(f => f.Type() == "cursor")).GetProperty("data").GetProperty("x").GetInt32());
        Assert.Empty(await ada.PendingAfterSyncAsync(f => f.Type() == "cursor"));
    }

    [Fact]
    public async Task Cursors_of_different_users_are_coalesced_separately()
    {
        var channel = Channel();
        await using var ada = await _server.ConnectAsync("ada");
        await using var cy = await _server.ConnectAsync("cy");
        await using var bob = await _server.ConnectAsync("bob");
        await bob.SubscribeAsync(channel);
        await ada.OkAsync("cursor", new { channel, x = 1 });
        await cy.OkAsync("cursor", new { channel, x = 2 });
        var users = new[] { await bob.NextAsync(f => f.Type() == "cursor"), await bob.NextAsync(f => f.Type() == "cursor") }
            .Select(f => f.GetProperty("data").GetProperty("user").GetString()).Order().ToList();
        Assert.Equal(["ada", "cy"], users);
    }
}
