using System.Text;
using Hubbub.Core.Seams;
using Hubbub.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Redis.Tests.Contracts;

/// <summary>
/// What every <see cref="IHistoryStore"/> must do, appending through its broker (appending is the broker's
/// job). Run against each implementation through <see cref="CreateNodeAsync"/>; age is driven by a fake clock.
/// </summary>
public abstract class HistoryContract
{
    private static readonly HistoryPolicy Policy = new(100, TimeSpan.FromMinutes(10));

    protected FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    protected abstract Task<SeamNode> CreateNodeAsync();

    private static string NewChannel() => $"public:h{Guid.NewGuid():N}";

    private static async Task PublishAsync(SeamNode node, string channel, int count, HistoryPolicy? policy = null)
    {
        for (var i = 0; i < count; i++)
        {
            await node.Broker.PublishAsync(channel, SeamExtensions.Draft($"{{\"i\":{i}}}"), policy ?? Policy);
        }
    }

    [Fact]
    public async Task Unknown_channel_is_at_offset_0_with_an_epoch_that_stays()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();

        var first = await node.History.GetTopAsync(channel);
        var second = await node.History.GetTopAsync(channel);

        Assert.Equal(0, first.Offset);
        Assert.False(string.IsNullOrEmpty(first.Epoch));
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Without_since_returns_the_latest_limit_oldest_first()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();
        await PublishAsync(node, channel, 6);

        var result = await node.History.ReadAsync(channel, null, null, 4);

        Assert.True(result.Complete);
        Assert.Equal([3L, 4, 5, 6], result.Publications.Select(p => p.Offset));
        Assert.Equal(6, result.Top.Offset);
    }

    [Fact]
    public async Task Since_returns_what_follows_in_order_and_is_complete()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();
        await PublishAsync(node, channel, 5);
        var epoch = (await node.History.GetTopAsync(channel)).Epoch;

        var result = await node.History.ReadAsync(channel, 2, epoch, 100);
        var limited = await node.History.ReadAsync(channel, 2, epoch, 2);
        var upToDate = await node.History.ReadAsync(channel, 5, epoch, 100);

        Assert.True(result.Complete);
        Assert.Equal([3L, 4, 5], result.Publications.Select(p => p.Offset));
        Assert.Equal([3L, 4], limited.Publications.Select(p => p.Offset));
        Assert.True(upToDate.Complete);
        Assert.Empty(upToDate.Publications);
    }

    [Fact]
    public async Task History_keeps_event_data_and_sender()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();
        var from = new ClientInfo("42", "Ada");
        await node.Broker.PublishAsync(channel, SeamExtensions.Draft("{\"text\":\"ünï\"}", "chat.sent", from), Policy);

        var stored = Assert.Single((await node.History.ReadAsync(channel, 0, null, 10)).Publications);

        Assert.Equal("chat.sent", stored.Event);
        Assert.Equal(from, stored.From);
        Assert.Equal("{\"text\":\"ünï\"}", Encoding.UTF8.GetString(stored.Data.Span));
        Assert.Equal(FrameWriter.ChannelEvent("chat.sent", channel, 1, stored.Data.Span, from), stored.Frame);
    }

    [Fact]
    public async Task Another_epoch_is_incomplete_and_returns_nothing()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();
        await PublishAsync(node, channel, 3);

        var result = await node.History.ReadAsync(channel, 1, "0000dead", 100);

        Assert.False(result.Complete);
        Assert.Empty(result.Publications);
        Assert.Equal(3, result.Top.Offset);
    }

    [Fact]
    public async Task Since_beyond_the_top_is_incomplete()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();
        await PublishAsync(node, channel, 2);
        var epoch = (await node.History.GetTopAsync(channel)).Epoch;

        var result = await node.History.ReadAsync(channel, 7, epoch, 100);

        Assert.False(result.Complete);
        Assert.Empty(result.Publications);
    }

    [Fact]
    public async Task Trimmed_by_size_keeps_the_newest_and_is_incomplete_for_older_positions()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();
        await PublishAsync(node, channel, 5, new HistoryPolicy(3, TimeSpan.FromMinutes(10)));
        var epoch = (await node.History.GetTopAsync(channel)).Epoch;

        var tooOld = await node.History.ReadAsync(channel, 0, epoch, 100);
        var justInTime = await node.History.ReadAsync(channel, 2, epoch, 100);

        Assert.False(tooOld.Complete);
        Assert.Equal([3L, 4, 5], tooOld.Publications.Select(p => p.Offset));
        Assert.True(justInTime.Complete);
        Assert.Equal([3L, 4, 5], justInTime.Publications.Select(p => p.Offset));
    }

    [Fact]
    public async Task Trimmed_by_age_drops_expired_publications()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();
        var policy = new HistoryPolicy(100, TimeSpan.FromSeconds(60));
        await PublishAsync(node, channel, 2, policy);
        Time.Advance(TimeSpan.FromSeconds(61));
        await PublishAsync(node, channel, 1, policy);
        var epoch = (await node.History.GetTopAsync(channel)).Epoch;

        var fromStart = await node.History.ReadAsync(channel, 0, epoch, 100);
        var fromTwo = await node.History.ReadAsync(channel, 2, epoch, 100);
        var latest = await node.History.ReadAsync(channel, null, null, 100);

        Assert.False(fromStart.Complete);
        Assert.Equal([3L], fromStart.Publications.Select(p => p.Offset));
        Assert.True(fromTwo.Complete);
        Assert.Equal([3L], latest.Publications.Select(p => p.Offset));
    }

    [Fact]
    public async Task Size_zero_keeps_nothing_but_offsets_still_grow()
    {
        var node = await CreateNodeAsync();
        var channel = NewChannel();
        await PublishAsync(node, channel, 2, new HistoryPolicy(0, TimeSpan.FromMinutes(10)));
        var top = await node.History.GetTopAsync(channel);

        var behind = await node.History.ReadAsync(channel, 1, top.Epoch, 100);
        var current = await node.History.ReadAsync(channel, 2, top.Epoch, 100);

        Assert.Equal(2, top.Offset);
        Assert.False(behind.Complete);
        Assert.True(current.Complete);
        Assert.Empty(current.Publications);
    }
}

/// <summary>The history contract against <see cref="Hubbub.Core.Memory.MemoryHistoryStore"/>.</summary>
public sealed class MemoryHistoryContract : HistoryContract
{
    protected override Task<SeamNode> CreateNodeAsync() => Task.FromResult(MemorySeams.Node(Time));
}

/// <summary>The history contract against <see cref="RedisHistoryStore"/>.</summary>
public sealed class RedisHistoryContract : HistoryContract, IAsyncLifetime
{
    private readonly RedisSeams _redis = new();

    protected override Task<SeamNode> CreateNodeAsync() => Task.FromResult(_redis.Node(Time));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _redis.DisposeAsync();
}
