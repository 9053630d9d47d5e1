using System.Text;
using Hubbub.Core.Channels;
using Hubbub.Core.Memory;
using Hubbub.Core.Seams;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hubbub.Core.Tests.Memory;

/// <summary>
/// What keeps the in-memory history from growing without end: the background sweep on a fake clock (expiry and
/// stream removal), the epoch a removed channel starts over under, and the node-wide byte bound.
/// </summary>
public sealed class MemoryHistoryBoundsTests : IDisposable
{
    private static readonly HistoryPolicy Policy = new(Size: 100, Ttl: TimeSpan.FromSeconds(5));
    private readonly FakeTimeProvider _clock = new();
    private readonly MemoryHistoryStore _store;
    private readonly MemoryHistorySweeper _sweeper;

    public MemoryHistoryBoundsTests()
    {
        _store = new MemoryHistoryStore(_clock);
        _sweeper = new MemoryHistorySweeper(_store, new SubscriberRegistry(), _clock, NullLogger<MemoryHistorySweeper>.Instance);
        _sweeper.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    public void Dispose() => _sweeper.Dispose();

    private static Publication Append(MemoryHistoryStore store, string channel, int bytes = 10, HistoryPolicy? policy = null) =>
        store.Append(channel, new PublicationDraft("message", Encoding.UTF8.GetBytes($"\"{new string('x', bytes)}\""), null),
            policy ?? Policy, 0, _ => { });

    private void AfterExpiryAndSweep() => _clock.Advance(Policy.Ttl + MemoryHistorySweeper.Interval);

    [Fact]
    public void The_sweep_frees_expired_publications_without_any_read_and_removes_their_streams()
    {
        for (var i = 0; i < 3; i++)
        {
            Append(_store, "public:a");
        }
        Append(_store, "public:b");
        Assert.True(_store.HeldBytes > 0);
        Assert.Equal(2, _store.StreamCount);

        _clock.Advance(Policy.Ttl - TimeSpan.FromSeconds(1)); // a sweep ran: nothing expired yet
        Assert.Equal(2, _store.StreamCount);

        AfterExpiryAndSweep();
        Assert.Equal(0, _store.HeldBytes);
        Assert.Equal(0, _store.StreamCount);
    }

    [Fact]
    public async Task A_removed_channel_starts_over_under_a_new_epoch_and_its_old_position_does_not_recover()
    {
        Append(_store, "public:a");
        Append(_store, "public:a");
        var old = await _store.GetTopAsync("public:a");

        AfterExpiryAndSweep();
        var fresh = await _store.GetTopAsync("public:a");
        Assert.Equal(0, fresh.Offset);
        Assert.NotEqual(old.Epoch, fresh.Epoch);

        // What a subscriber is told before the next publication is the epoch that publication carries.
        var next = Append(_store, "public:a");
        Assert.Equal(1, next.Offset);
        Assert.Equal(fresh.Epoch, next.Epoch);
        Append(_store, "public:a");
        Append(_store, "public:a");

        // A client that saw offset 2 of the old stream must not be handed offset 3 of the new one.
        var recovery = await _store.ReadAsync("public:a", old.Offset, old.Epoch, 10);
        Assert.False(recovery.Complete);
        Assert.Empty(recovery.Publications);
        var fromNew = await _store.ReadAsync("public:a", 0, fresh.Epoch, 10);
        Assert.True(fromNew.Complete);
        Assert.Equal([1L, 2, 3], fromNew.Publications.Select(p => p.Offset));
    }

    [Fact]
    public async Task A_followed_stream_stays_as_a_tombstone_that_keeps_its_epoch_and_offset()
    {
        var store = new MemoryHistoryStore(_clock); // swept here by hand, with a follower
        Append(store, "public:a");
        Append(store, "public:a");
        var top = await store.GetTopAsync("public:a");

        _clock.Advance(Policy.Ttl + TimeSpan.FromSeconds(1));
        store.Sweep(channel => channel == "public:a");

        Assert.Equal(0, store.HeldBytes);
        Assert.Equal(1, store.StreamCount);
        Assert.Equal(top, await store.GetTopAsync("public:a"));
        Assert.True((await store.ReadAsync("public:a", top.Offset, top.Epoch, 10)).Complete); // nothing was missed
        var next = Append(store, "public:a");
        Assert.Equal((3L, top.Epoch), (next.Offset, next.Epoch));

        store.Sweep(_ => false); // unfollowed, but it holds a publication again
        Assert.Equal(1, store.StreamCount);
    }

    [Fact]
    public async Task The_byte_bound_evicts_the_oldest_publications_of_any_channel_first()
    {
        var one = Append(new MemoryHistoryStore(_clock), "public:p", bytes: 1000);
        long entryBytes = one.Frame.Length + one.Data.Length + MemoryHistoryStore.EntryOverheadBytes;
        var store = new MemoryHistoryStore(_clock, maxBytes: entryBytes * 3);

        Append(store, "public:a", 1000); // a:1, the oldest
        Append(store, "public:b", 1000); // b:1
        Append(store, "public:a", 1000); // a:2
        Assert.Equal(entryBytes * 3, store.HeldBytes);
        Append(store, "public:b", 1000); // b:2 pushes a:1 out
        Append(store, "public:c", 1000); // c:1 pushes b:1 out

        Assert.Equal(entryBytes * 3, store.HeldBytes);
        Assert.Equal([2L], (await store.ReadAsync("public:a", null, null, 10)).Publications.Select(p => p.Offset));
        Assert.Equal([2L], (await store.ReadAsync("public:b", null, null, 10)).Publications.Select(p => p.Offset));
        Assert.Equal([1L], (await store.ReadAsync("public:c", null, null, 10)).Publications.Select(p => p.Offset));

        // A client that saw nothing of public:a cannot recover offset 1 any more; one that saw offset 1 can.
        var epoch = (await store.GetTopAsync("public:a")).Epoch;
        Assert.False((await store.ReadAsync("public:a", 0, epoch, 10)).Complete);
        Assert.True((await store.ReadAsync("public:a", 1, epoch, 10)).Complete);
    }

    [Fact]
    public void A_publication_larger_than_the_whole_bound_is_delivered_but_not_held()
    {
        var store = new MemoryHistoryStore(_clock, maxBytes: 100);
        var delivered = 0;
        var p = store.Append("public:a", new PublicationDraft("message", Encoding.UTF8.GetBytes($"\"{new string('x', 500)}\""), null),
            Policy, 0, _ => delivered++);
        Assert.Equal((1, 1L), (delivered, p.Offset));
        Assert.Equal(0, store.HeldBytes);
    }

    [Fact]
    public void Held_bytes_return_to_zero_after_20000_channels_entries_expire()
    {
        const int Channels = 20_000;
        for (var i = 0; i < Channels; i++)
        {
            Append(_store, $"public:c{i}", bytes: 1000);
        }
        Assert.Equal(Channels, _store.StreamCount);
        Assert.True(_store.HeldBytes >= Channels * 1000L, $"held {_store.HeldBytes}");

        AfterExpiryAndSweep();

        Assert.Equal(0, _store.HeldBytes);
        Assert.Equal(0, _store.StreamCount);
    }

    [Fact]
    public async Task Offsets_never_repeat_under_one_epoch_while_sweeps_remove_streams_being_published_to()
    {
        var store = new MemoryHistoryStore(_clock);
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<(string, string, long), bool>();
        var duplicates = 0;
        var sweeping = Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                store.Sweep(_ => false);
            }
        });
        Parallel.For(0, 20_000, i =>
        {
            // Size 0 holds nothing, so every stream is removable at any sweep.
            var channel = $"public:r{i % 8}";
            var p = store.Append(channel, new PublicationDraft("message", "1"u8.ToArray(), null), new HistoryPolicy(0, Policy.Ttl), 0, _ => { });
            if (!seen.TryAdd((channel, p.Epoch, p.Offset), true))
            {
                Interlocked.Increment(ref duplicates);
            }
        });
        await sweeping;
        Assert.Equal(0, duplicates);
    }
}
