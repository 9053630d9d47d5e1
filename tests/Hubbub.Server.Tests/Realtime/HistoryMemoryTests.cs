using System.Text;
using Hubbub.Core;
using Hubbub.Core.Memory;
using Hubbub.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>
/// Issue 13 finding 3 on a real server (embedded seams, fake clock): the hosted sweep frees the in-memory history
/// of thousands of channels once it expires, and a subscribed channel keeps its position through the sweep.
/// </summary>
public sealed class HistoryMemoryTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly TestServer _server;

    public HistoryMemoryTests() => _server = new TestServer(new() { ["Hubbub:History:HistoryTtlSeconds"] = "5" }, _clock);

    public void Dispose() => _server.Dispose();

    private MemoryHistoryStore History => _server.Services.GetRequiredService<MemoryHistoryStore>();

    private HubbubEngine Engine => _server.Services.GetRequiredService<HubbubEngine>();

    [Fact]
    public async Task The_history_of_20000_channels_is_freed_once_it_expires()
    {
        var data = Encoding.UTF8.GetBytes($"\"{new string('x', 2000)}\"");
        for (var i = 0; i < 20_000; i++)
        {
            await Engine.PublishAsync($"public:many{i}", null, data, null);
        }
        Assert.True(History.HeldBytes > 20_000L * 4000, $"held {History.HeldBytes}");

        _clock.Advance(TimeSpan.FromSeconds(5) + MemoryHistorySweeper.Interval);

        Assert.Equal(0, History.HeldBytes);
        Assert.Equal(0, History.StreamCount);
    }

    [Fact]
    public async Task A_subscribed_channel_keeps_its_offsets_through_the_sweep_and_an_unsubscribed_one_starts_over()
    {
        await using var client = await _server.ConnectAsync("kept");
        await client.SubscribeAsync("public:kept");
        await Engine.PublishAsync("public:kept", null, "1"u8.ToArray(), null);
        await Engine.PublishAsync("public:gone", null, "1"u8.ToArray(), null);
        var gone = await Engine.GetTopAsync("public:gone");
        Assert.Equal(1, (await client.NextAsync(f => f.Type() == "message")).Offset());

        _clock.Advance(TimeSpan.FromSeconds(5) + MemoryHistorySweeper.Interval);

        await Engine.PublishAsync("public:kept", null, "2"u8.ToArray(), null);
        var next = await client.NextAsync(f => f.Type() is "message" or "stream_reset");
        Assert.Equal(("message", 2L), (next.Type(), next.Offset()));

        var restarted = await Engine.PublishAsync("public:gone", null, "2"u8.ToArray(), null);
        Assert.Equal(1, restarted.Offset);
        Assert.NotEqual(gone.Epoch, restarted.Epoch);
        var recovery = await client.SubscribeAsync("public:gone", since: new { offset = gone.Offset, epoch = gone.Epoch });
        Assert.False(recovery.GetProperty("recovered").GetBoolean());
    }
}
