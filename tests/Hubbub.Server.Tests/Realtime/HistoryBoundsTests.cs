using System.Text.Json;
using Hubbub.Core;
using Hubbub.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hubbub.Server.Tests.Realtime;

/// <summary>
/// A history reply stays within <c>Hubbub:MaxHistoryReplyBytes</c> (truncated, paged with <c>since</c>), a recovery
/// beyond <c>Hubbub:MaxRecoveryBytes</c> is refused with <c>recovered:false</c> (one within the default is replayed whole), and a connection that asks for history without reading is cut
/// as a slow consumer by its queue's byte bound, the server's memory staying bounded.
/// </summary>
public sealed class HistoryBoundsTests(HistoryBoundsTests.BudgetServer fixture) : IClassFixture<HistoryBoundsTests.BudgetServer>
{
    private const int Budget = 256 * 1024;
    private readonly TestServer _server = fixture.Server;

    /// <summary>A server whose history replies and recoveries hold at most 256 KiB of publications.</summary>
    public sealed class BudgetServer : IDisposable
    {
        public TestServer Server { get; } = new(new()
        {
            ["Hubbub:MaxHistoryReplyBytes"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Hubbub:MaxRecoveryBytes"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

        public void Dispose() => Server.Dispose();
    }

    private static string Channel() => "public:" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_reply_holds_the_oldest_publications_that_fit_says_truncated_and_since_pages_through_the_rest()
    {
        var channel = Channel();
        await PublishAsync(_server, channel, count: 60, bytes: 10 * 1024); // about 600 KiB: three replies' worth
        await using var c = await _server.ConnectAsync("pager");

        var offsets = new List<long>();
        JsonElement page = await c.OkAsync("history", new { channel, limit = 1000 });
        var pages = 1;
        while (page.TryGetProperty("truncated", out var truncated))
        {
            Assert.True(truncated.GetBoolean());
            var publications = page.GetProperty("publications").EnumerateArray().ToList();
            Assert.NotEmpty(publications);
            Assert.True(publications.Sum(p => p.GetRawText().Length) <= Budget, "a reply went over its budget");
            offsets.AddRange(publications.Select(p => p.Offset()));
            var since = new { offset = offsets[^1], epoch = page.GetProperty("epoch").GetString() };
            page = await c.OkAsync("history", new { channel, since, limit = 1000 });
            pages++;
        }
        offsets.AddRange(page.GetProperty("publications").EnumerateArray().Select(p => p.Offset()));

        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), offsets); // every one, in order, once
        Assert.True(pages >= 3, $"{pages} pages");
        Assert.Equal(60, page.GetProperty("offset").GetInt64());

        // A reply that fits says nothing more.
        var small = await c.OkAsync("history", new { channel, limit = 3 });
        Assert.Equal(3, small.GetProperty("publications").GetArrayLength());
        Assert.False(small.TryGetProperty("truncated", out _));
    }

    [Fact]
    public async Task A_recovery_beyond_the_budget_is_not_recovered_and_replays_nothing_one_within_it_is()
    {
        var channel = Channel();
        await PublishAsync(_server, channel, count: 60, bytes: 10 * 1024);
        await using var c = await _server.ConnectAsync("recoverer");
        var epoch = (await c.OkAsync("history", new { channel, limit = 1 })).GetProperty("epoch").GetString();

        var tooMuch = await c.SubscribeAsync(channel, new { offset = 0, epoch });
        Assert.False(tooMuch.GetProperty("recovered").GetBoolean());
        Assert.Equal(60, tooMuch.GetProperty("offset").GetInt64());
        Assert.Empty(await c.PendingAfterSyncAsync(f => f.Channel() == channel && f.TryGetProperty("offset", out _)));

        await c.OkAsync("unsubscribe", new { channel });
        var withinBudget = await c.SubscribeAsync(channel, new { offset = 55, epoch });
        Assert.True(withinBudget.GetProperty("recovered").GetBoolean());
        Assert.Equal([56L, 57, 58, 59, 60], (await c.PublicationsAsync(channel, 5)).Select(f => f.Offset()));
    }

    [Fact]
    public async Task With_the_defaults_a_recovery_larger_than_a_history_reply_is_replayed_whole()
    {
        // 40 missed publications of 60 KB: 2.4 MB, over one history reply (1 MiB), within the recovery budget (4 MiB).
        using var server = new TestServer();
        var channel = Channel();
        await PublishAsync(server, channel, count: 40, bytes: 60 * 1024);
        await using var c = await server.ConnectAsync("returning");
        var epoch = (await c.OkAsync("history", new { channel, limit = 1 })).GetProperty("epoch").GetString();

        var recovered = await c.SubscribeAsync(channel, new { offset = 0, epoch });
        Assert.True(recovered.GetProperty("recovered").GetBoolean());
        Assert.Equal(40, recovered.GetProperty("offset").GetInt64());
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), (await c.PublicationsAsync(channel, 40)).Select(f => f.Offset()));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task A_connection_asking_for_history_without_reading_is_cut_and_memory_stays_bounded(string connectionLevelAccept)
    {
        // Defaults: 1 MiB per history reply, 8 MiB per send queue.
        using var server = new TestServer(new()
        {
            ["Hubbub:ConnectionLevelAccept"] = connectionLevelAccept,
            ["Hubbub:SlowConsumerCloseGraceMs"] = "1000",
        });
        var engine = server.Services.GetRequiredService<HubbubEngine>();
        var channel = Channel();
        await PublishAsync(server, channel, count: 200, bytes: 60 * 1024); // 12 MB of history, every reply a page of it
        var before = HeapAfterCollection();

        using var peer = await SilentPeer.ConnectAsync(server, "hoarder", Channel(), receiveBufferSize: 4096);
        for (var i = 0; i < 150; i++)
        {
            await peer.SendTextAsync($$$"""{"type":"history","id":{{{i + 2}}},"data":{"channel":"{{{channel}}}","limit":1000}}""");
        }

        // Without the bounds: 150 replies of 12 MB each, 1.8 GB queued for a client that reads nothing, never cut.
        await WaitUntilAsync(() => server.Logs.Any(l => l.Contains("of user hoarder is a slow consumer", StringComparison.Ordinal)),
            "the hoarding connection was never closed as a slow consumer");
        var whileClosing = HeapAfterCollection() - before;
        Assert.True(whileClosing < 256L * 1024 * 1024, $"the heap grew by {whileClosing:N0} bytes");

        await WaitUntilAsync(() => engine.Connections.CountOf("hoarder") == 0, "the hoarding connection never ended");
        var afterwards = HeapAfterCollection() - before;
        Assert.True(afterwards < 128L * 1024 * 1024, $"the heap is still {afterwards:N0} bytes larger after the connection ended");
    }

    private static async Task PublishAsync(TestServer server, string channel, int count, int bytes)
    {
        var big = new string('x', bytes);
        for (var i = 1; i <= count; i++)
        {
            var response = await server.PublishAsync(JsonSerializer.Serialize(new { channel, data = new { i, big } }));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>The managed heap after a full, compacting collection (the test process hosts the server too).</summary>
    private static long HeapAfterCollection()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, failure);
            await Task.Delay(20);
        }
    }
}
