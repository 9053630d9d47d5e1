using System.Text;
using Hubbub.Core.Memory;
using Hubbub.Core.Seams;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Core.Tests.Memory;

public sealed class MemoryHistoryStoreTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly MemoryHistoryStore _store;
    private static readonly HistoryPolicy Policy = new(Size: 3, Ttl: TimeSpan.FromMinutes(1));

    public MemoryHistoryStoreTests() => _store = new MemoryHistoryStore(_clock);

    private Publication Append(string channel, int i, HistoryPolicy? policy = null) =>
        _store.Append(channel, new PublicationDraft("message", Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), null),
            policy ?? Policy, 0, _ => { });

    [Fact]
    public async Task Offsets_start_at_1_and_grow_by_1_per_channel()
    {
        Assert.Equal(0, (await _store.GetTopAsync("public:a")).Offset);
        Assert.Equal(1, Append("public:a", 1).Offset);
        Assert.Equal(2, Append("public:a", 2).Offset);
        Assert.Equal(1, Append("public:b", 1).Offset);
        Assert.Equal(2, (await _store.GetTopAsync("public:a")).Offset);
    }

    [Fact]
    public async Task Epoch_is_stable_per_channel_and_differs_between_stores()
    {
        var epoch = (await _store.GetTopAsync("public:a")).Epoch;
        Append("public:a", 1);
        Assert.Equal(epoch, (await _store.GetTopAsync("public:a")).Epoch);
        Assert.NotEqual(epoch, (await new MemoryHistoryStore(_clock).GetTopAsync("public:a")).Epoch);
    }

    [Fact]
    public async Task A_channel_read_before_any_publication_recovers_what_is_published_later()
    {
        var top = await _store.ReadAsync("user:9", sinceOffset: 0, sinceEpoch: null, limit: 10);
        Assert.Empty(top.Publications);
        Assert.Equal(0, top.Top.Offset);

        var empty = await _store.ReadAsync("user:9", sinceOffset: 0, sinceEpoch: top.Top.Epoch, limit: 10);
        Assert.True(empty.Complete);
        Assert.Empty(empty.Publications);

        Append("user:9", 1);
        var recovered = await _store.ReadAsync("user:9", sinceOffset: 0, sinceEpoch: top.Top.Epoch, limit: 10);
        Assert.True(recovered.Complete);
        Assert.Equal([1L], recovered.Publications.Select(p => p.Offset));
    }

    [Fact]
    public async Task Size_bound_keeps_the_latest_and_reports_incomplete_recovery()
    {
        for (var i = 1; i <= 5; i++)
        {
            Append("public:a", i);
        }
        var epoch = (await _store.GetTopAsync("public:a")).Epoch;
        var latest = await _store.ReadAsync("public:a", null, null, 10);
        Assert.Equal([3L, 4, 5], latest.Publications.Select(p => p.Offset));
        Assert.False((await _store.ReadAsync("public:a", 1, epoch, 10)).Complete);
        var fromTwo = await _store.ReadAsync("public:a", 2, epoch, 10);
        Assert.True(fromTwo.Complete);
        Assert.Equal([3L, 4, 5], fromTwo.Publications.Select(p => p.Offset));
    }

    [Fact]
    public async Task Age_bound_drops_expired_publications()
    {
        Append("public:a", 1);
        _clock.Advance(TimeSpan.FromSeconds(40));
        Append("public:a", 2);
        _clock.Advance(TimeSpan.FromSeconds(30));
        var epoch = (await _store.GetTopAsync("public:a")).Epoch;
        Assert.Equal([2L], (await _store.ReadAsync("public:a", null, null, 10)).Publications.Select(p => p.Offset));
        Assert.False((await _store.ReadAsync("public:a", 0, epoch, 10)).Complete);
        Assert.True((await _store.ReadAsync("public:a", 1, epoch, 10)).Complete);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var none = await _store.ReadAsync("public:a", 1, epoch, 10);
        Assert.False(none.Complete);
        Assert.Equal(2, none.Top.Offset);
    }

    [Fact]
    public async Task Wrong_epoch_or_future_offset_is_incomplete_and_empty()
    {
        Append("public:a", 1);
        var wrong = await _store.ReadAsync("public:a", 0, "other", 10);
        Assert.False(wrong.Complete);
        Assert.Empty(wrong.Publications);
        var epoch = (await _store.GetTopAsync("public:a")).Epoch;
        Assert.False((await _store.ReadAsync("public:a", 7, epoch, 10)).Complete);
    }

    [Fact]
    public async Task Since_read_honours_the_limit_from_the_oldest_side()
    {
        for (var i = 1; i <= 3; i++)
        {
            Append("public:a", i);
        }
        var epoch = (await _store.GetTopAsync("public:a")).Epoch;
        Assert.Equal([1L, 2], (await _store.ReadAsync("public:a", 0, epoch, 2)).Publications.Select(p => p.Offset));
    }

    [Fact]
    public async Task Zero_size_keeps_nothing_but_offsets_still_grow()
    {
        var none = new HistoryPolicy(0, TimeSpan.FromMinutes(1));
        Append("public:z", 1, none);
        Append("public:z", 2, none);
        var top = await _store.GetTopAsync("public:z");
        Assert.Equal(2, top.Offset);
        Assert.Empty((await _store.ReadAsync("public:z", null, null, 10)).Publications);
        Assert.False((await _store.ReadAsync("public:z", 1, top.Epoch, 10)).Complete);
    }

    [Fact]
    public void Delivery_happens_in_offset_order_under_concurrency()
    {
        var delivered = new List<long>();
        Parallel.For(0, 1000, i => _store.Append("public:c", new PublicationDraft("message", "1"u8.ToArray(), null), Policy, 0,
            p => delivered.Add(p.Offset)));
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), delivered);
    }

    [Fact]
    public void Frame_is_the_wire_message_with_offset()
    {
        var p = _store.Append("public:f", new PublicationDraft("liked", "{\"a\":1}"u8.ToArray(), new Hubbub.Protocol.ClientInfo("42", "Ada")), Policy, 0, _ => { });
        Assert.Equal("""{"type":"liked","channel":"public:f","offset":1,"data":{"a":1},"from":{"user":"42","name":"Ada"}}""",
            Encoding.UTF8.GetString(p.Frame));
    }
}
