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

    [Fact]
    public async Task Long_lived_publications_among_a_busy_channels_trimmed_ones_keep_the_slabs_and_records_bounded()
    {
        // Each quiet channel's one publication, held 600 s, lands in a slab among a busy channel's that its count bound
        // (1) lets go at once: every slab stays pinned by one quiet publication, and the busy channel's let-go records wait
        // behind the oldest quiet one. The bound counts both, and lets the oldest publications go first.
        const long Max = 64 * 1024;
        var store = new MemoryHistoryStore(_clock, Max);
        var busy = new HistoryPolicy(1, TimeSpan.FromSeconds(600));
        var quiet = new HistoryPolicy(10, TimeSpan.FromSeconds(600));
        for (var i = 0; i < 20_000; i++)
        {
            Append(store, "public:busy", 500, busy);
            if (i % 8 == 0)
            {
                Append(store, $"public:q{i / 8}", 10, quiet);
            }
            Assert.True(store.Log.SlabBytes <= Max + (2L * store.Log.SlabSize), $"slabs {store.Log.SlabBytes} at {i}");
            Assert.True(store.Log.Records <= 1025, $"records {store.Log.Records} at {i}");
            Assert.True(store.HeldBytes <= Max);
        }
        // The newest quiet publications and the busy channel's last are held, the oldest quiet ones let go.
        Assert.Single((await store.ReadAsync("public:busy", null, null, 10)).Publications);
        Assert.Single((await store.ReadAsync($"public:q{(20_000 / 8) - 1}", null, null, 10)).Publications);
        Assert.Empty((await store.ReadAsync("public:q0", null, null, 10)).Publications);
    }

    [Fact]
    public async Task A_slab_freed_by_expiry_is_written_again_and_what_is_held_reads_back_intact()
    {
        var store = new MemoryHistoryStore(_clock, 64 * 1024); // 4 KiB slabs
        var shortLived = new HistoryPolicy(100, TimeSpan.FromSeconds(1));
        for (var round = 0; round < 50; round++)
        {
            for (var i = 0; i < 20; i++)
            {
                Append(store, $"public:r{round}", 300 + i, shortLived);
            }
            var read = await store.ReadAsync($"public:r{round}", null, null, 100);
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"\"{new string('x', 300 + i)}\""),
                read.Publications.Select(p => Encoding.UTF8.GetString(p.Data.Span)));
            _clock.Advance(TimeSpan.FromSeconds(2));
            store.Sweep(_ => false);
            Assert.Equal(0, store.HeldBytes);
        }
        // Freed slabs are reused or let go: at most the slab being written and two spares.
        Assert.True(store.Log.SlabBytes <= store.Log.SlabSize, $"slabs {store.Log.SlabBytes}");
    }

    [Fact]
    public async Task Concurrent_appends_reads_sweeps_and_evictions_never_hand_out_another_publications_bytes()
    {
        // A small bound (4 KiB slabs, evicting all the time) and short ages, so slabs are freed and written again while
        // other threads read: every publication's data is its own sequence number, known by its channel, epoch and
        // offset from the delivery, and must read back as published.
        var store = new MemoryHistoryStore(_clock, 48 * 1024);
        var policies = new[] { new HistoryPolicy(3, TimeSpan.FromSeconds(2)), new HistoryPolicy(50, TimeSpan.FromSeconds(30)) };
        var published = new System.Collections.Concurrent.ConcurrentDictionary<(string, string, long), string>();
        var wrong = 0;
        var reads = 0;
        // Two readers (with sweeps and a moving clock) and four writers, each a bounded loop, all at once.
        var writersDone = 0;
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(async () =>
        {
            // While the writers write (however the threads are scheduled), and at least 20,000 reads; bounded either way.
            for (var i = 0; i < 1_000_000 && (i < 20_000 || Volatile.Read(ref writersDone) < 4); i++)
            {
                var channel = $"public:k{i % 8}";
                var read = await store.ReadAsync(channel, null, null, 100);
                foreach (var p in read.Publications)
                {
                    Interlocked.Increment(ref reads);
                    if (!published.TryGetValue((channel, p.Epoch, p.Offset), out var data) || data != Encoding.UTF8.GetString(p.Data.Span))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
                if (i % 50 == 0)
                {
                    store.Sweep(_ => false);
                    _clock.Advance(TimeSpan.FromMilliseconds(100));
                }
            }
        }));
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var n = 0; n < 10_000; n++)
            {
                var i = (n * 4) + w;
                var channel = $"public:k{i % 8}";
                var data = $"\"{i}{new string('x', i % 700)}\"";
                // Delivered under the stream's lock, before any read can see it.
                store.Append(channel, new PublicationDraft("message", Encoding.UTF8.GetBytes(data), null), policies[i % 2], 0,
                    p => published[(channel, p.Epoch, p.Offset)] = data);
            }
            Interlocked.Increment(ref writersDone);
        }));
        await Task.WhenAll(readers.Concat(writers));
        Assert.Equal(0, wrong);
        Assert.True(reads > 0, "no publication was read: the readers did not run beside the writers");
        Assert.True(store.HeldBytes <= 48 * 1024);
    }
}
